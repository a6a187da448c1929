import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SignJWT } from "jose";
import { signToken } from "../../caller/tokens";
import { createTokenVerifier, TokenError } from "../../gateway/auth";
import { claimsOf, type Caller } from "../../caller/claims";

const SECRET = "kesbangpol-belitung-timur-test-secret-0123456789";
const officer: Caller = { sub: "officer-7", role: "AGENCY", org: "1", regions: ["19.06"], scopes: [] };

describe("the gateway remembers the hub's verified tokens", () => {
  test("an officer's second request with the same token is answered from the verified-token memory", async () => {
    const verifier = createTokenVerifier({ secret: SECRET });
    const header = `Bearer ${await signToken(SECRET, officer)}`;
    const first = await verifier.verifyHeader(header);
    assert.equal(await verifier.verifyHeader(header), first); // the very same caller: not verified again
  });

  test("with the memory off, every request verifies the token anew", async () => {
    const verifier = createTokenVerifier({ secret: SECRET, verifiedTokenMs: 0 });
    const header = `Bearer ${await signToken(SECRET, officer)}`;
    const first = await verifier.verifyHeader(header);
    const second = await verifier.verifyHeader(header);
    assert.notEqual(second, first);
    assert.deepEqual(second, first);
  });

  test("past the memory's bound, the least recently used token is the one verified again", async () => {
    const verifier = createTokenVerifier({ secret: SECRET, verifiedTokenLimit: 2 });
    const [a, b, c] = await Promise.all(["officer-a", "officer-b", "officer-c"].map(async (sub) => `Bearer ${await signToken(SECRET, { ...officer, sub })}`));
    const first = { a: await verifier.verifyHeader(a), b: await verifier.verifyHeader(b) };
    assert.equal(await verifier.verifyHeader(a), first.a); // a is now the most recently used
    await verifier.verifyHeader(c);
    assert.equal(await verifier.verifyHeader(a), first.a);
    const again = await verifier.verifyHeader(b);
    assert.notEqual(again, first.b);
    assert.deepEqual(again, first.b);
  });

  test("a remembered token is refused as expired once its exp has passed", async () => {
    const verifier = createTokenVerifier({ secret: SECRET });
    const exp = Math.floor(Date.now() / 1000) + 1;
    const token = await new SignJWT(claimsOf(officer)).setProtectedHeader({ alg: "HS256" }).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
    assert.equal((await verifier.verifyHeader(`Bearer ${token}`))?.sub, "officer-7");
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    await assert.rejects(verifier.verifyHeader(`Bearer ${token}`), (error: unknown) => error instanceof TokenError && error.expired);
  });
});
