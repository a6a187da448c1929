import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadTrustedDocuments } from "../../launcher/admin";
import { AuditEvent, Integration } from "../../subgraphs/identity/entities";
import { TrustedDocument } from "../../subgraphs/identity/trusted-documents";
import { AlertCollector, ALERTS, alertClient, subscribersSettled } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { EVENT_STREAM, MULTIPART, multipartParts, openStream, sseAlertClient } from "../support/http-streams";
import { backends, ormasOf, REDIS_URL, skipWithoutRedis, startTestHub, TestHub } from "../support/hub";
import { activate, call, createAccount, createIntegration, firstAdministrator, NewIntegration, requestToken, TestSession } from "../support/identity";
import { reportInput } from "../support/report-writers";

/*
 * Trusted documents: Kesbangpol's administrator loads the operations of the Bawaslu dashboard's build (the manifest
 * GraphQL Code Generator or Apollo produce) and switches them on; from then on the gateway runs only those for the
 * dashboard, named by hash, on every transport. A newsroom app of the same hub is not affected. Off by default.
 */

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

const LIST_INCIDENTS = "query ListIncidents { incidentReports(first: 2) { totalCount } }";
const COUNT_INCIDENTS = "query CountIncidents { incidentReports(first: 1) { totalCount } }";
const NOT_LISTED = "query Other { incidentReports(first: 3) { totalCount } }";
const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

const LOAD = `mutation ($clientId: String!, $manifest: String!) { loadTrustedDocuments(clientId: $clientId, manifest: $manifest) { clientId trustedDocumentCount trustedDocumentsRequired } }`;
const SWITCH = `mutation ($clientId: String!, $required: Boolean!) { setTrustedDocumentsRequired(clientId: $clientId, required: $required) { trustedDocumentsRequired } }`;

/** GraphQL Code Generator's client preset `persisted-documents.json`. */
const codegenManifest = (...documents: string[]) => JSON.stringify(Object.fromEntries(documents.map((document) => [sha256(document), document])));
/** Apollo's persisted-query manifest. */
const apolloManifest = (...documents: string[]) =>
  JSON.stringify({
    format: "apollo-persisted-query-manifest",
    version: 1,
    operations: documents.map((body) => ({ id: sha256(body), name: /(query|subscription|mutation) (\w+)/.exec(body)?.[2] ?? "", type: body.trimStart().split(" ")[0], body })),
  });

/** A POST to /graphql as a partner app sends it: the body as given, JSON. */
async function post(hub: TestHub, token: string, body: Record<string, unknown>): Promise<{ status: number; code: string; data?: Record<string, unknown> }> {
  const response = await fetch(hub.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const answer = (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ extensions?: { code?: string } }> };
  return { status: response.status, code: answer.errors?.length ? String(answer.errors[0].extensions?.code) : "ok", data: answer.data ?? undefined };
}

const byHash = (document: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(document) } } });

describe("trusted documents with Redis: the command's new list applies on the gateways at once", async () => {
  const skip = await skipWithoutRedis();
  let hub: TestHub;
  before(async () => {
    if (!skip) hub = await startTestHub("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "0", REDIS_URL });
  });
  after(() => hub?.dispose());

  test("the command tells the gateways over Redis, and the next request runs against the new list", { skip }, async () => {
    const ids = await loadDemoStory(hub);
    const admin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh");
    const app = await createIntegration(hub, admin.accessToken, { organizationId: ids.org.bawaslu, scopes: ["read:incidents"], regions: ["19.06"], name: "Dasbor Bawaslu Beltim" });
    const clientId = app.integration.clientId;
    assert.equal((await call(hub, LOAD, { clientId, manifest: codegenManifest(LIST_INCIDENTS) }, admin.accessToken)).code, "ok");
    assert.equal((await call(hub, SWITCH, { clientId, required: true }, admin.accessToken)).code, "ok");
    const answer = await requestToken(hub, { grant_type: "client_credentials", client_id: clientId, client_secret: app.clientSecret });
    const token = answer.body.access_token!;
    assert.equal((await post(hub, token, byHash(LIST_INCIDENTS))).code, "ok", "the gateway now holds the first list");

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kawal-trusted-")), "manifest.json");
    fs.writeFileSync(file, apolloManifest(COUNT_INCIDENTS));
    const loaded = await loadTrustedDocuments(hub.hub.config, ["--client", clientId, file]);
    assert.equal(loaded.gatewaysTold, true);
    const deadline = Date.now() + 2_000;
    while ((await post(hub, token, byHash(COUNT_INCIDENTS))).code !== "ok") {
      assert.ok(Date.now() < deadline, "the new list did not apply within 2 s (the refresh interval is 30 s)");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await post(hub, token, byHash(LIST_INCIDENTS))).code, "PERSISTED_QUERY_NOT_FOUND", "the first list is gone here too");
  });
});

describe("trusted documents: a partner app runs only the operations its administrator loaded", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;
      let admin: TestSession;
      let dashboard: NewIntegration;
      let newsroom: NewIntegration;
      let dashboardToken: string;
      let newsroomToken: string;
      const stored = async () => JSON.stringify([await hub.hub.subgraphs.identity.db.getRepository(TrustedDocument).find({ order: { id: "ASC" } }), await hub.hub.subgraphs.identity.db.getRepository(Integration).find({ order: { id: "ASC" } })]);
      const tokenOf = async (app: NewIntegration) => {
        const answer = await requestToken(hub, { grant_type: "client_credentials", client_id: app.integration.clientId, client_secret: app.clientSecret });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        return answer.body.access_token!;
      };
      const load = (clientId: string, manifest: string) => call<{ loadTrustedDocuments: { clientId: string; trustedDocumentCount: number; trustedDocumentsRequired: boolean } }>(hub, LOAD, { clientId, manifest }, admin.accessToken);
      const require = (clientId: string, required: boolean) => call(hub, SWITCH, { clientId, required }, admin.accessToken);

      before(async () => {
        hub = await startTestHub(backend, { KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
        admin = await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh");
        const app = { organizationId: ids.org.bawaslu, scopes: ["read:incidents", "subscribe:alerts"], regions: ["19.06"] };
        dashboard = await createIntegration(hub, admin.accessToken, { ...app, name: "Dasbor Bawaslu Beltim" });
        newsroom = await createIntegration(hub, admin.accessToken, { ...app, name: "Ruang redaksi" });
        [dashboardToken, newsroomToken] = await Promise.all([tokenOf(dashboard), tokenOf(newsroom)]);
      });
      after(() => hub.dispose());

      test("off by default: a partner app's free-text query runs", async () => {
        const listed = await call<{ integrations: { edges: Array<{ node: { clientId: string; trustedDocumentsRequired: boolean; trustedDocumentCount: number } }> } }>(
          hub,
          `{ integrations(first: 10) { edges { node { clientId trustedDocumentsRequired trustedDocumentCount } } } }`,
          {},
          admin.accessToken,
        );
        const state = listed.data!.integrations.edges.find(({ node }) => node.clientId === dashboard.integration.clientId)!.node;
        assert.deepEqual([state.trustedDocumentsRequired, state.trustedDocumentCount], [false, 0]);
        assert.equal((await post(hub, dashboardToken, { query: NOT_LISTED })).code, "ok");
      });

      test("an administrator loads a Code Generator manifest; on, listed hashes run and nothing else does", async () => {
        const loaded = await load(dashboard.integration.clientId, codegenManifest(LIST_INCIDENTS, ALERTS));
        assert.equal(loaded.code, "ok", loaded.message);
        assert.deepEqual(loaded.data!.loadTrustedDocuments, { clientId: dashboard.integration.clientId, trustedDocumentCount: 2, trustedDocumentsRequired: false });
        assert.equal((await require(dashboard.integration.clientId, true)).code, "ok");

        const listed = await post(hub, dashboardToken, byHash(LIST_INCIDENTS));
        assert.equal(listed.code, "ok");
        assert.ok((listed.data!.incidentReports as { totalCount: number }).totalCount > 0);
        assert.equal((await post(hub, dashboardToken, { documentId: `sha256:${sha256(LIST_INCIDENTS)}` })).code, "ok", "the GraphQL-over-HTTP documentId names it too");
        const unlisted = await post(hub, dashboardToken, byHash(NOT_LISTED));
        assert.deepEqual([unlisted.status, unlisted.code], [400, "PERSISTED_QUERY_NOT_FOUND"]);
        const freeText = await post(hub, dashboardToken, { query: NOT_LISTED });
        assert.deepEqual([freeText.status, freeText.code], [400, "TRUSTED_DOCUMENT_REQUIRED"]);
        const smuggled = await post(hub, dashboardToken, { query: NOT_LISTED, ...byHash(LIST_INCIDENTS) });
        assert.equal(smuggled.code, "ok");
        assert.deepEqual(Object.keys(smuggled.data!.incidentReports as object), ["totalCount"], "a listed hash runs its listed document, whatever text comes with it");
      });

      test("another partner app of the same hub is not affected", async () => {
        assert.equal((await post(hub, newsroomToken, { query: NOT_LISTED })).code, "ok");
        assert.equal((await post(hub, newsroomToken, byHash(LIST_INCIDENTS))).code, "PERSISTED_QUERY_NOT_FOUND", "the dashboard's list is not the newsroom's (Apollo's own APQ cache has never seen it)");
      });

      test("switched off again, free text runs for the app", async () => {
        assert.equal((await require(dashboard.integration.clientId, false)).code, "ok");
        assert.equal((await post(hub, dashboardToken, { query: NOT_LISTED })).code, "ok");
      });

      test("an Apollo persisted-query manifest replaces the whole list", async () => {
        const loaded = await load(dashboard.integration.clientId, apolloManifest(COUNT_INCIDENTS, ALERTS));
        assert.equal(loaded.code, "ok", loaded.message);
        assert.equal(loaded.data!.loadTrustedDocuments.trustedDocumentCount, 2);
        assert.equal((await require(dashboard.integration.clientId, true)).code, "ok");
        assert.equal((await post(hub, dashboardToken, byHash(COUNT_INCIDENTS))).code, "ok");
        assert.equal((await post(hub, dashboardToken, byHash(LIST_INCIDENTS))).code, "PERSISTED_QUERY_NOT_FOUND", "the earlier list is gone");
      });

      test("a bad manifest is refused naming the entry and the rule, and changes nothing", async () => {
        const before = await stored();
        const cases: Array<[string, string, string]> = [
          ["not JSON", "{", "manifest"],
          ["a hash of another document", JSON.stringify({ [sha256(LIST_INCIDENTS)]: NOT_LISTED }), `manifest["${sha256(LIST_INCIDENTS)}"].id`],
          ["not GraphQL", JSON.stringify({ abc: "query {" }), 'manifest["abc"].body'],
          ["an Apollo manifest of another version", JSON.stringify({ format: "apollo-persisted-query-manifest", version: 2, operations: [] }), "manifest.version"],
          ["empty", "{}", "manifest"],
        ];
        for (const [name, manifest, field] of cases) {
          const refused = await load(dashboard.integration.clientId, manifest);
          assert.deepEqual([refused.code, refused.field], ["BAD_USER_INPUT", field], `${name}: ${refused.message}`);
        }
        assert.equal(await stored(), before);
      });

      test("only an administrator of the app loads or switches its list", async () => {
        const ketua = await createAccount(hub, admin.accessToken, { organizationId: ids.org.pemuda, role: "ORMAS", regions: ["19.06.01"], loginName: "ketua@p3m.or.id", admin: true });
        const ormasAdmin = await activate(hub, "ketua@p3m.or.id", ketua.oneTimePassword, "sepeda tua pasar Manggar");
        const asPartner = await call(hub, SWITCH, { clientId: newsroom.integration.clientId, required: false }, newsroomToken);
        assert.equal(asPartner.code, "FORBIDDEN", "a partner app does not switch its own list");
        const asOtherOrganization = await call(hub, SWITCH, { clientId: dashboard.integration.clientId, required: false }, ormasAdmin.accessToken);
        assert.deepEqual([asOtherOrganization.code, asOtherOrganization.field], ["FORBIDDEN", "clientId"], "an ormas administrator manages its own organization's apps only");
        const unknown = await call(hub, SWITCH, { clientId: "kdc_000000000000000000000000", required: true }, admin.accessToken);
        assert.deepEqual([unknown.code, unknown.field], ["FORBIDDEN", "clientId"]);
        const emptyOn = await require(newsroom.integration.clientId, true);
        assert.deepEqual([emptyOn.code, emptyOn.field], ["BAD_USER_INPUT", "required"], "switching on an empty list would refuse every request");
      });

      test("the command line loads a manifest file, and the audit trail records each change", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kawal-trusted-")), "persisted-documents.json");
        fs.writeFileSync(file, codegenManifest(LIST_INCIDENTS, COUNT_INCIDENTS, ALERTS));
        const loaded = await loadTrustedDocuments(hub.hub.config, ["--client", dashboard.integration.clientId, file]);
        assert.deepEqual(loaded, { clientId: dashboard.integration.clientId, loaded: 3, gatewaysTold: false });
        // Without Redis the command tells no gateway; a change through this gateway drops its cache, so switching the
        // flag makes the command's list current here.
        assert.equal((await require(dashboard.integration.clientId, false)).code, "ok");
        assert.equal((await require(dashboard.integration.clientId, true)).code, "ok");
        assert.equal((await post(hub, dashboardToken, byHash(LIST_INCIDENTS))).code, "ok");
        const events = await hub.hub.subgraphs.identity.db.getRepository(AuditEvent).find({ where: { integrationId: Number(dashboard.integration.id) }, order: { id: "ASC" } });
        const trail = events.filter((event) => event.kind.startsWith("TRUSTED_DOCUMENTS")).map((event) => `${event.kind}: ${event.detail}`);
        assert.deepEqual(trail.slice(-3), [
          `TRUSTED_DOCUMENTS_LOADED: client ${dashboard.integration.clientId}: 3 operations; from the command line`,
          `TRUSTED_DOCUMENTS_SWITCHED: client ${dashboard.integration.clientId}: any operation`,
          `TRUSTED_DOCUMENTS_SWITCHED: client ${dashboard.integration.clientId}: only trusted documents`,
        ]);
      });

      if (backend !== "sqlite") return;

      describe("on every transport (the list is on)", () => {
        const settled = (subscribers: number) => subscribersSettled(() => hub.hub.gateway.subscriptions.stats(), subscribers);
        const fileReport = async (title: string) => {
          const { errors } = await hub.query(REPORT, { input: reportInput(title) }, ormasOf(ids.org.pemuda));
          assert.equal(errors, undefined, JSON.stringify(errors));
        };

        test("graphql-ws: the listed subscription by hash receives an alert; free text is refused", async () => {
          const client = alertClient(hub.url, dashboardToken);
          try {
            const refused = new AlertCollector(client);
            await refused.failed();
            assert.match(JSON.stringify(refused.errors), /TRUSTED_DOCUMENT_REQUIRED/);
            const query = await new Promise<unknown>((resolve, reject) => {
              client.subscribe({ query: "", ...byHash(LIST_INCIDENTS) }, { next: resolve, error: reject, complete: () => undefined });
            });
            assert.ok(((query as { data: { incidentReports: { totalCount: number } } }).data.incidentReports.totalCount) > 0, "a listed query by hash runs over the socket too");
            const listed = new AlertCollector(client, {}, "", byHash(ALERTS).extensions);
            await settled(1);
            await fileReport("Fitnah lewat WebSocket, daftar tepercaya");
            await listed.count(1);
            assert.equal(listed.alerts[0].report.title, "Fitnah lewat WebSocket, daftar tepercaya");
          } finally {
            await client.dispose();
          }
        });

        test("SSE: free text gets 400 TRUSTED_DOCUMENT_REQUIRED, an unlisted hash PERSISTED_QUERY_NOT_FOUND, the listed hash streams", async () => {
          const freeText = await openStream(hub.url, EVENT_STREAM, dashboardToken, { query: ALERTS });
          assert.equal(freeText.status, 400);
          assert.match(await freeText.ended(), /TRUSTED_DOCUMENT_REQUIRED/);
          const unlisted = await openStream(hub.url, EVENT_STREAM, dashboardToken, { query: "", ...byHash(NOT_LISTED) } as never);
          assert.match(await unlisted.ended(), /PERSISTED_QUERY_NOT_FOUND/);
          const client = sseAlertClient(hub.url, dashboardToken);
          try {
            const listed = new AlertCollector(client, {}, "", byHash(ALERTS).extensions);
            await settled(1);
            await fileReport("Fitnah lewat SSE, daftar tepercaya");
            await listed.count(1);
            assert.equal(listed.alerts[0].report.title, "Fitnah lewat SSE, daftar tepercaya");
          } finally {
            client.dispose();
          }
        });

        test("multipart: the listed subscription by documentId streams; free text is refused", async () => {
          const freeText = await openStream(hub.url, MULTIPART, dashboardToken, { query: ALERTS });
          assert.equal(freeText.status, 400);
          assert.match(await freeText.ended(), /TRUSTED_DOCUMENT_REQUIRED/);
          const listed = await openStream(hub.url, MULTIPART, dashboardToken, { documentId: sha256(ALERTS) } as never);
          try {
            assert.equal(listed.status, 200);
            await settled(1);
            await fileReport("Fitnah lewat multipart, daftar tepercaya");
            await listed.until((text) => text.includes("Fitnah lewat multipart, daftar tepercaya"), 10_000, "the alert");
            assert.ok(multipartParts(listed.text()).some((part) => JSON.stringify(part).includes("daftar tepercaya")));
          } finally {
            listed.close();
          }
        });
      });
    });
  }
});
