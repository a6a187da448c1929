import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AlertCollector, alertClient } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { backends, ormasOf, startTestHub, TestHub } from "../support/hub";
import { call, createAccount, firstAdministrator, signIn } from "../support/identity";

/*
 * The story of issue 14 through the public API: the gateway's /auth endpoint and GraphQL over HTTP and
 * graphql-ws. Access tokens live 4 seconds here (KAWAL_ACCESS_TOKEN_SECONDS), so "at the latest when the
 * access token expires" is seen within the test.
 */

const LIFETIME_SECONDS = 4;
const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

async function auth(hub: TestHub, path: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(new URL(path, hub.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("an officer signs in, subscribes to alerts, is disabled by her admin, and loses access", async () => {
  for (const backend of await backends()) {
    describe(`on ${backend}`, () => {
      let hub: TestHub;
      let ids: DemoIds;

      before(async () => {
        hub = await startTestHub(backend, { KAWAL_ACCESS_TOKEN_SECONDS: String(LIFETIME_SECONDS), KAWAL_RATE_LIMIT_MUTATIONS: "0" });
        ids = await loadDemoStory(hub);
      });
      after(() => hub.dispose());

      test("her refresh fails at once and her socket ends by the access token's expiry", async () => {
        const adminPassword = "kapal layar Manggar tujuh";
        await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", adminPassword);
        const adminToken = async () => (await signIn(hub, "admin@kesbangpol.beltim.go.id", adminPassword)).data!.signIn.accessToken;
        const officer = await createAccount(hub, await adminToken(), { organizationId: ids.org.kesbangpol, role: "AGENCY", regions: ["19.06"], loginName: "siti@kesbangpol.beltim.go.id" });

        // The auth endpoint: first the password change the one-time password demands, then sign-in.
        const first = await auth(hub, "/auth/sign-in", { loginName: "siti@kesbangpol.beltim.go.id", password: officer.oneTimePassword });
        assert.deepEqual([first.status, first.body.error.code], [403, "PASSWORD_CHANGE_REQUIRED"]);
        const changed = await auth(hub, "/auth/change-password", { loginName: "siti@kesbangpol.beltim.go.id", password: officer.oneTimePassword, newPassword: "lada putih Gantung delapan" });
        assert.equal(changed.status, 200, JSON.stringify(changed.body));
        const wrong = await auth(hub, "/auth/sign-in", { loginName: "siti@kesbangpol.beltim.go.id", password: "lada putih Gantung sembilan" });
        assert.deepEqual([wrong.status, wrong.body.error.code], [401, "UNAUTHENTICATED"]);
        const session = await auth(hub, "/auth/sign-in", { loginName: "siti@kesbangpol.beltim.go.id", password: "lada putih Gantung delapan" });
        assert.equal(session.status, 200, JSON.stringify(session.body));
        assert.deepEqual([session.body.account.role, session.body.account.regions], ["AGENCY", ["19.06"]]);
        const refreshed = await auth(hub, "/auth/refresh", { refreshToken: session.body.refreshToken });
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
        const { accessToken, refreshToken, accessTokenExpiresAt } = refreshed.body as { accessToken: string; refreshToken: string; accessTokenExpiresAt: string };

        // Her screen hears an ormas's report in Manggar.
        const client = alertClient(hub.url, accessToken);
        const screen = new AlertCollector(client);
        const deadline = Date.now() + 3000;
        while (hub.hub.gateway.subscriptions.stats().subscribers < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        await new Promise((resolve) => setTimeout(resolve, 100));
        const { errors } = await hub.query(
          REPORT,
          { input: { category: "BLACK_CAMPAIGN", channel: "SOCIAL_MEDIA", platform: "Facebook", title: "Unggahan fitnah di grup warga", description: "Akun anonim memfitnah pasangan calon.", occurredAt: "2024-11-20T20:00:00+07:00", regionCode: "19.06.01" } },
          ormasOf(ids.org.pemuda),
        );
        assert.equal(errors, undefined, JSON.stringify(errors));
        await screen.count(1);
        assert.equal(screen.alerts[0].report.title, "Unggahan fitnah di grup warga");

        // Her administrator disables her.
        const disabled = await call(hub, `mutation ($id: ID!) { disableAccount(id: $id) { disabled } }`, { id: officer.account.id }, await adminToken());
        assert.equal(disabled.code, "ok", disabled.message);
        const refusedRefresh = await auth(hub, "/auth/refresh", { refreshToken });
        assert.deepEqual([refusedRefresh.status, refusedRefresh.body.error.code], [401, "UNAUTHENTICATED"]);
        const refusedSignIn = await auth(hub, "/auth/sign-in", { loginName: "siti@kesbangpol.beltim.go.id", password: "lada putih Gantung delapan" });
        assert.equal(refusedSignIn.status, 401);

        // The socket ends by the token's expiry, with a message saying so.
        await screen.failed(Math.max(0, Date.parse(accessTokenExpiresAt) - Date.now()) + 2000);
        assert.match(JSON.stringify(screen.errors), /expired/);
        assert.ok(Date.now() < Date.parse(accessTokenExpiresAt) + 2000);
        await client.dispose();
      });

      test("the auth endpoint refuses what is not a JSON sign-in, naming the field", async () => {
        const missing = await auth(hub, "/auth/sign-in", { loginName: "siti@kesbangpol.beltim.go.id" });
        assert.deepEqual([missing.status, missing.body.error.field], [400, "password"]);
        const response = await fetch(new URL("/auth/sign-in", hub.url));
        assert.equal(response.status, 405);
        const unknown = await auth(hub, "/auth/nothing", {});
        assert.equal(unknown.status, 404);
      });
    });
  }
});
