import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { DemoAccount, loadDemoAccounts } from "../../launcher/demo";
import { loadDemoStory } from "../support/demo";
import { startTestHub, TestHub } from "../support/hub";

/** POSTs JSON to an /auth/* path of the hub. */
async function post(hub: TestHub, path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, hub.url), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, cookie: response.headers.get("set-cookie"), body: (await response.json()) as Record<string, unknown> };
}

describe("a browser's session: the refresh token as an httpOnly cookie scoped to /auth/refresh", () => {
  let hub: TestHub;
  let officer: DemoAccount;
  before(async () => {
    hub = await startTestHub();
    await loadDemoStory(hub);
    officer = (await loadDemoAccounts(hub.url, hub.hub.config)).find((account) => account.loginName.startsWith("petugas"))!;
  });
  after(() => hub.dispose());

  test("signing in with refreshCookie sets the cookie and keeps the refresh token out of the JSON", async () => {
    const signedIn = await post(hub, "/auth/sign-in", { loginName: officer.loginName, password: officer.password, refreshCookie: true });
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.body.refreshToken, undefined);
    assert.equal(typeof signedIn.body.accessToken, "string");
    assert.match(signedIn.cookie ?? "", /^kawal_refresh=[^;]+; Path=\/auth\/refresh; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  });

  test("the cookie alone renews the session, once: the used token is refused afterwards", async () => {
    const signedIn = await post(hub, "/auth/sign-in", { loginName: officer.loginName, password: officer.password, refreshCookie: true });
    const cookie = signedIn.cookie!.split(";")[0];
    const renewed = await post(hub, "/auth/refresh", {}, { cookie });
    assert.equal(renewed.status, 200);
    assert.equal(renewed.body.refreshToken, undefined);
    assert.notEqual(renewed.cookie?.split(";")[0], cookie);
    assert.equal((await post(hub, "/auth/refresh", {}, { cookie })).status, 401);
  });

  test("away from localhost the cookie is Secure", async () => {
    // fetch will not send another Host; a reverse proxy in front of the hub does.
    const cookie = await new Promise<string>((resolve, reject) => {
      const request = http.request(new URL("/auth/sign-in", hub.url), { method: "POST", headers: { "content-type": "application/json", host: "kawal.example.id" } }, (response) => {
        response.resume();
        resolve(String(response.headers["set-cookie"] ?? ""));
      });
      request.on("error", reject);
      request.end(JSON.stringify({ loginName: officer.loginName, password: officer.password, refreshCookie: true }));
    });
    assert.match(cookie, /; Secure$/);
  });

  test("signing out (DELETE /auth/refresh) clears the cookie", async () => {
    const response = await fetch(new URL("/auth/refresh", hub.url), { method: "DELETE" });
    assert.equal(response.status, 204);
    assert.match(response.headers.get("set-cookie") ?? "", /^kawal_refresh=; Path=\/auth\/refresh; Max-Age=0; HttpOnly; SameSite=Strict/);
  });

  test("a client that sends refreshToken in the body still gets it back in the body", async () => {
    const signedIn = await post(hub, "/auth/sign-in", { loginName: officer.loginName, password: officer.password });
    assert.equal(typeof signedIn.body.refreshToken, "string");
    assert.equal(signedIn.cookie, null);
  });
});
