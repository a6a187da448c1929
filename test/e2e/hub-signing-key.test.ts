import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from "jose";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, startTestHub, TestHub } from "../support/hub";
import { call, createIntegration, firstAdministrator, requestToken, signIn } from "../support/identity";

/*
 * The hub signs its own tokens with an ES256 key pair (KAWAL_SIGNING_KEY_FILE) and publishes the public half at
 * /.well-known/jwks.json; the gateway verifies the hub's tokens with it, while an external identity provider's
 * tokens (KAWAL_JWKS_URL) and the HS256 tokens of scripts keep working beside. A hub that trusts only an external
 * provider signs nothing, and says so.
 */

const ME = `{ me { loginName } }`;
const REPORTS = `{ incidentReports(first: 0) { totalCount } }`;

/** A PEM file holding a new EC P-256 private key; its path. */
function es256KeyFile(): string {
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kawal-key-")), "signing-key.pem");
  fs.writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return file;
}

/** An external identity provider: a JWKS endpoint with one RS256 key. */
async function externalProvider() {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "sso-1", alg: "RS256", use: "sig" }] });
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    sign: (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "sso-1" }).setIssuedAt().setExpirationTime("10m").sign(privateKey),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("the hub's own ES256 signing key and its JWKS", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let provider: Awaited<ReturnType<typeof externalProvider>>;
  const keyFile = es256KeyFile();
  let officerToken: string;

  before(async () => {
    provider = await externalProvider();
    hub = await startTestHub("sqlite", { KAWAL_SIGNING_KEY_FILE: keyFile, KAWAL_JWKS_URL: provider.url, KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    ids = await loadDemoStory(hub);
    await firstAdministrator(hub, ids.org.kesbangpol, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh");
    officerToken = (await signIn(hub, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh")).data!.signIn.accessToken;
  });
  after(async () => {
    await hub.dispose();
    await provider.stop();
    fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
  });

  test("a signed-in account's token is ES256, names the hub's key, and is accepted", async () => {
    const header = decodeProtectedHeader(officerToken);
    assert.equal(header.alg, "ES256");
    assert.ok(header.kid);
    const me = await call<{ me: { loginName: string } }>(hub, ME, {}, officerToken);
    assert.equal(me.code, "ok", me.message);
    assert.equal(me.data!.me.loginName, "admin@kesbangpol.beltim.go.id");
  });

  test("the JWKS endpoint serves the public key alone, under the kid the tokens name", async () => {
    const response = await fetch(new URL("/.well-known/jwks.json", hub.url));
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    assert.equal(keys.length, 1);
    assert.deepEqual([keys[0].kty, keys[0].crv, keys[0].alg, keys[0].use, keys[0].kid], ["EC", "P-256", "ES256", "sig", decodeProtectedHeader(officerToken).kid]);
    assert.equal(keys[0].d, undefined, "no private member");
    const expected = crypto.createPublicKey(fs.readFileSync(keyFile, "utf8")).export({ format: "jwk" });
    assert.deepEqual([keys[0].x, keys[0].y], [expected.x, expected.y]);
  });

  test("a token signed with another key is refused, whether it names the hub's kid or none", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const claims = { sub: "account:1", role: "AGENCY", org: ids.org.kesbangpol, regions: ["19.06"] };
    const kid = decodeProtectedHeader(officerToken).kid!;
    for (const header of [{ alg: "ES256", kid }, { alg: "ES256" }]) {
      const forged = await new SignJWT(claims).setProtectedHeader(header).setIssuedAt().setExpirationTime("10m").sign(privateKey);
      const response = await fetch(hub.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${forged}` }, body: JSON.stringify({ query: ME }) });
      assert.equal(response.status, 401, JSON.stringify(header));
    }
  });

  test("a partner app's token is signed with the hub's key too", async () => {
    const adminToken = (await signIn(hub, "admin@kesbangpol.beltim.go.id", "kapal layar Manggar tujuh")).data!.signIn.accessToken;
    const app = await createIntegration(hub, adminToken, { organizationId: ids.org.bawaslu, name: "Dasbor", scopes: ["read:incidents"], regions: ["19.06"] });
    const answer = await requestToken(hub, { grant_type: "client_credentials", client_id: app.integration.clientId, client_secret: app.clientSecret });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(decodeProtectedHeader(answer.body.access_token!).alg, "ES256");
    assert.equal((await call(hub, REPORTS, {}, answer.body.access_token)).code, "ok");
  });

  test("`npm run token` mints with the hub's key, so the token it prints is accepted as the hub's own", async () => {
    const printed = execFileSync(process.execPath, [path.join(__dirname, "../../launcher/token.js"), "--role", "AGENCY", "--org", ids.org.bawaslu, "--regions", "19.06", "--expires", "10m"], {
      env: { ...process.env, KAWAL_SIGNING_KEY_FILE: keyFile, KAWAL_DATA_DIR: hub.hub.config.dataDir },
      encoding: "utf8",
    }).trim();
    assert.deepEqual([decodeProtectedHeader(printed).alg, decodeProtectedHeader(printed).kid], ["ES256", decodeProtectedHeader(officerToken).kid]);
    assert.equal((await call(hub, REPORTS, {}, printed)).code, "ok");
  });

  test("beside it, the external provider's RS256 tokens and the scripts' HS256 tokens keep working", async () => {
    const external = await provider.sign({ sub: "sso|officer-7", role: "AGENCY", org: ids.org.bawaslu, regions: ["19.06"] });
    assert.equal((await call(hub, REPORTS, {}, external)).code, "ok");
    assert.equal((await call(hub, REPORTS, {}, await hub.token(agencyOf(ids.org.bawaslu)))).code, "ok");
  });
});

describe("a hub that trusts only an external identity provider", () => {
  let hub: TestHub;
  let provider: Awaited<ReturnType<typeof externalProvider>>;
  before(async () => {
    provider = await externalProvider();
    hub = await startTestHub("sqlite", { KAWAL_JWT_SECRET: "", KAWAL_JWKS_URL: provider.url });
  });
  after(async () => {
    await hub.dispose();
    await provider.stop();
  });

  test("answers sign-in and the token endpoint with a clear error, before looking at any credential", async () => {
    const signInAnswer = await fetch(new URL("/auth/sign-in", hub.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ loginName: "siapa@contoh.id", password: "apa saja boleh" }) });
    const body = (await signInAnswer.json()) as { error: { code: string; message: string } };
    assert.deepEqual([signInAnswer.status, body.error.code], [503, "SIGNING_UNAVAILABLE"]);
    assert.match(body.error.message, /KAWAL_JWKS_URL/);
    const token = await requestToken(hub, { grant_type: "client_credentials", client_id: "kdc_000000000000000000000000", client_secret: "kds_x" });
    assert.deepEqual([token.status, token.body.error], [503, "temporarily_unavailable"]);
    assert.match(token.body.error_description!, /KAWAL_JWKS_URL/);
    const jwks = (await (await fetch(new URL("/.well-known/jwks.json", hub.url))).json()) as { keys: unknown[] };
    assert.deepEqual(jwks.keys, [], "no key of its own to publish");
  });
});

describe("/auth/* and /oauth/token under the gateway's rate limit", () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_RATE_LIMIT_MUTATIONS: "3" });
  });
  after(() => hub.dispose());

  test("one client address past the limit gets 429 with Retry-After, on both endpoints", async () => {
    const attempt = (n: number) =>
      fetch(new URL("/auth/sign-in", hub.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ loginName: `tamu${n}@contoh.id`, password: "tebakan yang salah" }) });
    for (let n = 0; n < 3; n++) assert.equal((await attempt(n)).status, 401);
    const limited = await attempt(3);
    const body = (await limited.json()) as { error: { code: string; retryAfterSeconds: number } };
    assert.deepEqual([limited.status, body.error.code], [429, "RATE_LIMITED"]);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.ok(body.error.retryAfterSeconds >= 1);
    const token = await requestToken(hub, { grant_type: "client_credentials", client_id: "kdc_000000000000000000000000", client_secret: "kds_x" });
    assert.deepEqual([token.status, token.body.error], [429, "rate_limited"]);
    assert.ok(Number(token.headers.get("retry-after")) >= 1);
  });
});
