import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { exportJWK, generateKeyPair, JWK, SignJWT } from "jose";
import { createTokenVerifier, TokenError } from "../../gateway/auth";
import { DemoIds, loadDemoStory } from "../support/demo";
import { startTestHub, TestHub } from "../support/hub";

/** An identity provider of our own: a JWKS endpoint whose keys the test can rotate, counting fetches. */
class TestIdentityProvider {
  keys: JWK[] = [];
  fetches = 0;
  private readonly server = http.createServer((_req, res) => {
    this.fetches++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: this.keys }));
  });
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  /** A new signing key with this kid; `publish` adds its public half to the JWKS (replacing the others when `only`). */
  async newKey(kid: string, alg: "RS256" | "ES256", { publish = true, only = false } = {}) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
    if (publish) this.keys = only ? [jwk] : [...this.keys, jwk];
    return {
      sign: (claims: Record<string, unknown>, { issuer = ISSUER, audience = AUDIENCE } = {}) =>
        new SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime("10m").sign(privateKey),
    };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const ISSUER = "https://sso.kawal-damai.test";
const AUDIENCE = "kawal-damai-hub";

describe("tokens from an external identity provider (KAWAL_JWKS_URL)", () => {
  const idp = new TestIdentityProvider();
  let hub: TestHub;
  let ids: DemoIds;
  type Key = Awaited<ReturnType<TestIdentityProvider["newKey"]>>;
  let rsa: Key;
  let ec: Key;
  before(async () => {
    await idp.start();
    // Both keys are published before the hub's first fetch: within jose's 30 s cooldown it would not refetch.
    rsa = await idp.newKey("rsa-1", "RS256");
    ec = await idp.newKey("ec-1", "ES256");
    hub = await startTestHub("sqlite", { KAWAL_JWKS_URL: idp.url, KAWAL_JWT_ISSUER: ISSUER, KAWAL_JWT_AUDIENCE: AUDIENCE });
    ids = await loadDemoStory(hub); // the demo loader signs HS256: the hub's own tokens keep working beside the provider's
  });
  after(async () => {
    await hub.dispose();
    await idp.stop();
  });

  const agencyClaims = () => ({ sub: "sso|officer-7", role: "AGENCY", org: ids.org.bawaslu, regions: ["19.06"] });
  const ask = async (token: string) => {
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ incidentReports(first: 0) { totalCount } }` }),
    });
    return { status: response.status, body: (await response.json()) as { data?: { incidentReports: { totalCount: number } }; errors?: Array<{ message: string }> } };
  };

  test("the configuration carries the provider's URL, issuer and audience", () => {
    assert.equal(hub.hub.config.jwksUrl?.toString(), idp.url);
    assert.equal(hub.hub.config.jwtIssuer, ISSUER);
    assert.equal(hub.hub.config.jwtAudience, AUDIENCE);
  });

  test("a valid RS256 token from the provider is an AGENCY caller", async () => {
    const { status, body } = await ask(await rsa.sign(agencyClaims()));
    assert.equal(status, 200);
    assert.equal(body.errors, undefined);
    assert.equal(body.data!.incidentReports.totalCount, 6);
  });

  test("a valid ES256 token from the provider is accepted too", async () => {
    const { status, body } = await ask(await ec.sign(agencyClaims()));
    assert.equal(status, 200, JSON.stringify(body));
  });

  test("a token for another audience gets 401", async () => {
    const { status, body } = await ask(await rsa.sign(agencyClaims(), { audience: "some-other-app" }));
    assert.equal(status, 401);
    assert.match(body.errors![0].message, /aud/);
  });

  test("a token from another issuer gets 401", async () => {
    const { status } = await ask(await ec.sign(agencyClaims(), { issuer: "https://evil.test" }));
    assert.equal(status, 401);
  });

  test("a token signed by a key the provider never published gets 401", async () => {
    const rogue = await idp.newKey("rsa-1", "RS256", { publish: false }); // reuses a published kid, wrong key
    const { status } = await ask(await rogue.sign(agencyClaims()));
    assert.equal(status, 401);
  });
});

describe("key rotation at the identity provider", () => {
  const idp = new TestIdentityProvider();
  before(() => idp.start());
  after(() => idp.stop());

  test("a token with a new kid makes the verifier refetch the JWKS; the retired key stops working", async () => {
    // No cooldown here so the test need not wait jose's 30 s between fetches; production keeps the 30 s.
    const verifier = createTokenVerifier({ jwksUrl: new URL(idp.url), issuer: ISSUER, audience: AUDIENCE, jwksCooldownMs: 0 });
    const claims = { sub: "sso|officer-9", role: "AGENCY", org: "1", regions: ["19.06"] };
    const old = await idp.newKey("2024-a", "RS256", { only: true });
    const oldToken = await old.sign(claims);
    assert.equal((await verifier.verifyHeader(`Bearer ${oldToken}`))?.sub, "sso|officer-9");
    assert.equal(idp.fetches, 1);

    const rotated = await idp.newKey("2024-b", "RS256", { only: true });
    assert.equal((await verifier.verifyHeader(`Bearer ${await rotated.sign(claims)}`))?.sub, "sso|officer-9");
    assert.equal(idp.fetches, 2, "the unknown kid triggered exactly one refetch");

    await assert.rejects(verifier.verifyHeader(`Bearer ${oldToken}`), TokenError);
  });

  test("with the default cooldown, made-up kids do not hammer the provider", async () => {
    const verifier = createTokenVerifier({ jwksUrl: new URL(idp.url), issuer: ISSUER, audience: AUDIENCE });
    const claims = { sub: "x", role: "AGENCY", org: "1", regions: ["19.06"] };
    await idp.newKey("steady", "RS256", { only: true });
    const before = idp.fetches;
    for (let i = 0; i < 20; i++) {
      const rogue = await idp.newKey(`made-up-${i}`, "RS256", { publish: false });
      await assert.rejects(verifier.verifyHeader(`Bearer ${await rogue.sign(claims)}`), TokenError);
    }
    assert.ok(idp.fetches - before <= 1, `${idp.fetches - before} fetches for 20 unknown kids`);
  });
});
