import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { AuditEvent, Integration } from "../../subgraphs/identity/entities";
import { DemoIds, loadDemoStory } from "../support/demo";
import { backends, startTestHub, TestHub } from "../support/hub";
import { activate, call, CREATE_INTEGRATION, createAccount, createIntegration, firstAdministrator, NewIntegration, requestToken, TestSession } from "../support/identity";

/*
 * Partner apps through the public API, on each engine: Kesbangpol's administrator registers a Bawaslu dashboard,
 * the dashboard trades its client id and secret at POST /oauth/token for an INTEGRATOR token, the secret is
 * rotated and the app revoked. Every bad request gets its RFC 6749 error and changes nothing; every step is in
 * the audit trail, which no one can edit, not even with SQL.
 */

const INCIDENTS = `{ incidentReports(first: 1) { totalCount } }`;
const ROTATE = `mutation ($id: ID!, $grace: Int) { rotateIntegrationSecret(id: $id, graceSeconds: $grace) { clientSecret integration { previousSecretExpiresAt } } }`;
const REVOKE = `mutation ($id: ID!) { revokeIntegration(id: $id) { revokedAt } }`;

describe("partner apps: registered by administrators, tokens by OAuth 2.0 client credentials", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      let admin: TestSession;
      let ormasAdmin: TestSession;
      let dashboard: NewIntegration;
      const integrations = () => hub.hub.subgraphs.identity.db.getRepository(Integration);
      const credentials = (app: NewIntegration) => ({ client_id: app.integration.clientId, client_secret: app.clientSecret });
      /** Every integration row as stored: what "nothing changed" compares. */
      const stored = async () => JSON.stringify(await integrations().find({ order: { id: "ASC" } }));

      before(async () => {
        hub = await startTestHub(backend, { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
        admin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh");
        const ketua = await createAccount(hub, admin.accessToken, { organizationId: ids.org.pemuda, role: "ORMAS", regions: ["19.06.01"], loginName: "ketua@p3m.or.id", admin: true });
        ormasAdmin = await activate(hub, "ketua@p3m.or.id", ketua.oneTimePassword, "sepeda tua pasar Manggar");
        dashboard = await createIntegration(hub, admin.accessToken, { organizationId: ids.org.bawaslu, name: "Dasbor Bawaslu Beltim", scopes: ["read:incidents", "subscribe:alerts"], regions: ["19.06"] });
      });
      after(() => hub.dispose());

      test("the partner trades its client id and secret for an INTEGRATOR token of its organization, scopes and regions", async () => {
        assert.match(dashboard.integration.clientId, /^kdc_[0-9a-f]{24}$/);
        assert.match(dashboard.clientSecret, /^kds_[A-Za-z0-9_-]{43}$/);
        assert.ok(!(await stored()).includes(dashboard.clientSecret), "the secret is stored only as a hash");
        const answer = await requestToken(hub, { grant_type: "client_credentials", ...credentials(dashboard) });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.deepEqual([answer.body.token_type, answer.body.expires_in, answer.body.scope], ["Bearer", 900, "read:incidents subscribe:alerts"]);
        assert.equal(answer.headers.get("cache-control"), "no-store");
        const claims = decodeJwt(answer.body.access_token!);
        assert.deepEqual([claims.sub, claims.role, claims.org, claims.regions, claims.scope], [`integration:${dashboard.integration.clientId}`, "INTEGRATOR", ids.org.bawaslu, ["19.06"], "read:incidents subscribe:alerts"]);
        const read = await call<{ incidentReports: { totalCount: number } }>(hub, INCIDENTS, {}, answer.body.access_token);
        assert.equal(read.code, "ok", read.message);
        assert.ok(read.data!.incidentReports.totalCount > 0);
      });

      test("HTTP Basic works too, and a partner may ask for part of its scopes", async () => {
        const answer = await requestToken(hub, { grant_type: "client_credentials", scope: "read:incidents" }, { clientId: dashboard.integration.clientId, clientSecret: dashboard.clientSecret });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.body.scope, "read:incidents");
        const alerts = await call(hub, `{ incidentAlerts { sequence } }`, {}, answer.body.access_token);
        assert.equal(alerts.code, "FORBIDDEN", "a token without subscribe:alerts replays no alerts");
      });

      test("each bad token request gets its RFC 6749 error, and changes nothing", async () => {
        const before = await stored();
        const cases: Array<[string, Promise<{ status: number; body: { error?: string }; headers: Headers }>, number, string]> = [
          ["wrong secret", requestToken(hub, { grant_type: "client_credentials", client_id: dashboard.integration.clientId, client_secret: "kds_not-the-secret" }), 401, "invalid_client"],
          ["unknown client", requestToken(hub, { grant_type: "client_credentials", client_id: "kdc_000000000000000000000000", client_secret: dashboard.clientSecret }), 401, "invalid_client"],
          ["no client authentication", requestToken(hub, { grant_type: "client_credentials" }), 401, "invalid_client"],
          ["scope not granted", requestToken(hub, { grant_type: "client_credentials", scope: "read:directory", ...credentials(dashboard) }), 400, "invalid_scope"],
          ["unsupported grant", requestToken(hub, { grant_type: "password", username: "x", password: "y", ...credentials(dashboard) }), 400, "unsupported_grant_type"],
          ["no grant type", requestToken(hub, credentials(dashboard)), 400, "invalid_request"],
          ["credentials twice", requestToken(hub, { grant_type: "client_credentials", ...credentials(dashboard) }, { clientId: dashboard.integration.clientId, clientSecret: dashboard.clientSecret }), 400, "invalid_request"],
          ["JSON body", requestToken(hub, { grant_type: "client_credentials", ...credentials(dashboard) }, undefined, "application/json"), 400, "invalid_request"],
        ];
        for (const [name, pending, status, error] of cases) {
          const answer = await pending;
          assert.deepEqual([answer.status, answer.body.error], [status, error], `${name}: ${JSON.stringify(answer.body)}`);
          assert.ok((answer.body as { error_description?: string }).error_description, `${name}: says why`);
          assert.equal(answer.headers.get("cache-control"), "no-store", name);
          if (status === 401) assert.match(answer.headers.get("www-authenticate") ?? "", /^Basic realm=/, name);
        }
        assert.equal(await stored(), before);
      });

      test("a rotated secret: the old one works through the grace period, or stops at once with graceSeconds 0", async () => {
        const app = await createIntegration(hub, admin.accessToken, { organizationId: ids.org.police, name: "Aplikasi Intelkam", scopes: ["read:directory"], regions: ["19.06"] });
        const rotated = await call<{ rotateIntegrationSecret: { clientSecret: string; integration: { previousSecretExpiresAt: string } } }>(hub, ROTATE, { id: app.integration.id }, admin.accessToken);
        assert.equal(rotated.code, "ok", rotated.message);
        const grace = Date.parse(rotated.data!.rotateIntegrationSecret.integration.previousSecretExpiresAt) - Date.now();
        assert.ok(grace > 86_000_000 && grace <= 86_400_000, "one day by default");
        const next = { ...app, clientSecret: rotated.data!.rotateIntegrationSecret.clientSecret };
        assert.equal((await requestToken(hub, { grant_type: "client_credentials", ...credentials(app) })).status, 200, "the old secret, within the grace period");
        assert.equal((await requestToken(hub, { grant_type: "client_credentials", ...credentials(next) })).status, 200, "the new secret");
        const again = await call<{ rotateIntegrationSecret: { clientSecret: string } }>(hub, ROTATE, { id: app.integration.id, grace: 0 }, admin.accessToken);
        const third = { ...app, clientSecret: again.data!.rotateIntegrationSecret.clientSecret };
        assert.equal((await requestToken(hub, { grant_type: "client_credentials", ...credentials(next) })).body.error, "invalid_client", "no grace: the previous secret stops at once");
        assert.equal((await requestToken(hub, { grant_type: "client_credentials", ...credentials(app) })).body.error, "invalid_client", "only one previous secret is kept");
        assert.equal((await requestToken(hub, { grant_type: "client_credentials", ...credentials(third) })).status, 200);
        const tooLong = await call(hub, ROTATE, { id: app.integration.id, grace: 2_592_001 }, admin.accessToken);
        assert.deepEqual([tooLong.code, tooLong.field], ["BAD_USER_INPUT", "graceSeconds"]);
      });

      test("a revoked app gets no token, with an error that says so", async () => {
        const app = await createIntegration(hub, admin.accessToken, { organizationId: ids.org.prosecutor, name: "Aplikasi Kejaksaan", scopes: ["read:directory"], regions: ["19.06"] });
        const revoked = await call<{ revokeIntegration: { revokedAt: string } }>(hub, REVOKE, { id: app.integration.id }, admin.accessToken);
        assert.equal(revoked.code, "ok", revoked.message);
        const before = await stored();
        const answer = await requestToken(hub, { grant_type: "client_credentials", ...credentials(app) });
        assert.deepEqual([answer.status, answer.body.error], [400, "unauthorized_client"]);
        assert.match(answer.body.error_description!, /revoked/);
        assert.equal((await call(hub, ROTATE, { id: app.integration.id }, admin.accessToken)).field, "id", "a revoked app's secret is not rotated");
        const twice = await call<{ revokeIntegration: { revokedAt: string } }>(hub, REVOKE, { id: app.integration.id }, admin.accessToken);
        assert.equal(twice.data!.revokeIntegration.revokedAt, revoked.data!.revokeIntegration.revokedAt, "revoking again changes nothing");
        assert.equal(await stored(), before);
      });

      test("no administrator grants beyond its own: regions, scopes, organization; nothing is registered", async () => {
        const before = await stored();
        const refusals = [
          await call(hub, CREATE_INTEGRATION, { input: { organizationId: ids.org.bawaslu, name: "Luar wilayah", scopes: ["read:incidents"], regions: ["19.01"] } }, admin.accessToken),
          await call(hub, CREATE_INTEGRATION, { input: { organizationId: ids.org.pemuda, name: "Alarm ormas", scopes: ["subscribe:alerts"], regions: ["19.06.01"] } }, ormasAdmin.accessToken),
          await call(hub, CREATE_INTEGRATION, { input: { organizationId: ids.org.gantung, name: "Ormas lain", scopes: ["read:directory"], regions: ["19.06.01"] } }, ormasAdmin.accessToken),
          await call(hub, CREATE_INTEGRATION, { input: { organizationId: ids.org.pemuda, name: "Tulis", scopes: ["write:incidents"], regions: ["19.06.01"] } }, ormasAdmin.accessToken),
          await call(hub, CREATE_INTEGRATION, { input: { organizationId: ids.org.pemuda, name: "Tanpa cakupan", scopes: [], regions: ["19.06.01"] } }, ormasAdmin.accessToken),
          await call(hub, ROTATE, { id: dashboard.integration.id }, ormasAdmin.accessToken),
          await call(hub, REVOKE, { id: dashboard.integration.id }, ormasAdmin.accessToken),
          await call(hub, CREATE_INTEGRATION, { input: { organizationId: ids.org.bawaslu, name: "Publik", scopes: ["read:directory"], regions: ["19.06"] } }),
        ];
        assert.deepEqual(refusals.map(({ code, field }) => [code, field ?? null]), [
          ["FORBIDDEN", "input.regions[0]"],
          ["FORBIDDEN", "input.scopes[0]"],
          ["FORBIDDEN", "input.organizationId"],
          ["BAD_USER_INPUT", "input.scopes[0]"],
          ["BAD_USER_INPUT", "input.scopes"],
          ["FORBIDDEN", "id"],
          ["FORBIDDEN", "id"],
          ["UNAUTHENTICATED", null],
        ]);
        assert.match(refusals[1].message, /ORMAS: read:directory, read:incidents/);
        assert.equal(await stored(), before);
        const own = await createIntegration(hub, ormasAdmin.accessToken, { organizationId: ids.org.pemuda, name: "Aplikasi relawan", scopes: ["read:directory", "read:incidents"], regions: ["19.06.01"] });
        assert.deepEqual(own.integration.scopes, ["read:directory", "read:incidents"]);
      });

      test("administrators list the apps of their regions; an ORMAS administrator, its organization's only", async () => {
        const LIST = `{ integrations(first: 50) { edges { node { clientId organization { id } revokedAt } } } }`;
        const all = await call<{ integrations: { edges: Array<{ node: { clientId: string; organization: { id: string } } }> } }>(hub, LIST, {}, admin.accessToken);
        assert.ok(all.data!.integrations.edges.some(({ node }) => node.clientId === dashboard.integration.clientId));
        const own = await call<{ integrations: { edges: Array<{ node: { organization: { id: string } } }> } }>(hub, LIST, {}, ormasAdmin.accessToken);
        assert.ok(own.data!.integrations.edges.every(({ node }) => node.organization.id === ids.org.pemuda));
        const officer = await createAccount(hub, admin.accessToken, { organizationId: ids.org.kesbangpol, role: "AGENCY", regions: ["19.06"], loginName: "petugas@kesbangpol.beltim.go.id" });
        const session = await activate(hub, "petugas@kesbangpol.beltim.go.id", officer.oneTimePassword, "lada putih Gantung delapan");
        assert.equal((await call(hub, LIST, {}, session.accessToken)).code, "FORBIDDEN", "not an administrator");
      });

      test("the audit trail records registration, rotation, revocation, tokens issued and refused, and no secret", async () => {
        const EVENTS = `query ($f: AuditFilter) { auditEvents(filter: $f, first: 100) { edges { node { kind integrationId detail } } } }`;
        const events = await call<{ auditEvents: { edges: Array<{ node: { kind: string; detail: string } }> } }>(hub, EVENTS, { f: { integrationId: dashboard.integration.id } }, admin.accessToken);
        assert.equal(events.code, "ok", events.message);
        const kinds = new Set(events.data!.auditEvents.edges.map(({ node }) => node.kind));
        for (const kind of ["INTEGRATION_CREATED", "INTEGRATION_TOKEN_ISSUED", "INTEGRATION_TOKEN_REFUSED"]) assert.ok(kinds.has(kind), `${kind} in ${[...kinds].join(", ")}`);
        const everything = await call<{ auditEvents: { edges: Array<{ node: { kind: string } }> } }>(hub, EVENTS, {}, admin.accessToken);
        const all = new Set(everything.data!.auditEvents.edges.map(({ node }) => node.kind));
        for (const kind of ["INTEGRATION_SECRET_ROTATED", "INTEGRATION_REVOKED"]) assert.ok(all.has(kind), kind);
        const rows = JSON.stringify(await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).find());
        assert.ok(!rows.includes(dashboard.clientSecret), "a client secret in the audit trail");
        assert.doesNotMatch(rows, /kds_/);
      });

      test("the database itself refuses to change or delete an audit event", async () => {
        const db = hub.hub.subgraphs.identity.storage.writer;
        const count = await db.getRepository(AuditEvent).count();
        await assert.rejects(db.query(`UPDATE audit_events SET detail = 'edited'`), /append-only/);
        await assert.rejects(db.query(`DELETE FROM audit_events`), /append-only/);
        assert.equal(await db.getRepository(AuditEvent).count(), count);
        assert.equal(await db.getRepository(AuditEvent).countBy({ detail: "edited" }), 0);
      });
    });
  }
});
