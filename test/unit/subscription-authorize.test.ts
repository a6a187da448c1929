import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TokenVerifier } from "../../gateway/auth";
import { authenticate, authorizeSubscription } from "../../gateway/subscriptions/policies/authorize";
import { forbidden } from "../../platform/errors";
import { anyone, fakeVerifier, officer, prepared } from "../support/subscription-policies";
import { message } from "../../platform/i18n";

describe("subscription policy: authorize", () => {
  const verifier = fakeVerifier({ good: officer() });

  test("no credential is the public; a valid token is its caller", async () => {
    assert.deepEqual(await authenticate(verifier, undefined), { ok: true, caller: null });
    assert.deepEqual(await authenticate(verifier, null), { ok: true, caller: null });
    assert.deepEqual(await authenticate(verifier, "Bearer good"), { ok: true, caller: officer() });
  });

  test("a token that does not verify is refused with the verifier's reason", async () => {
    assert.deepEqual(await authenticate(verifier, "Bearer forged"), { ok: false, reason: message("token.invalid") });
  });

  test("a credential that is not a string is refused, naming where it came from", async () => {
    assert.deepEqual(await authenticate(verifier, { token: "good" }, '"authorization" in connection_init'), {
      ok: false,
      reason: message("token.credentialFormat", { name: '"authorization" in connection_init' }),
    });
  });

  test("a verifier that fails for another reason (JWKS unreachable) throws: that is no answer about the token", async () => {
    const broken: TokenVerifier = { verifyHeader: async () => Promise.reject(new Error("JWKS unreachable")) };
    await assert.rejects(authenticate(broken, "Bearer good"), /JWKS unreachable/);
  });

  test("the rule's refusal is the answer", () => {
    const refusal = forbidden(message("access.signInFirst"));
    const authorized = authorizeSubscription(() => refusal, officer(), prepared());
    assert.deepEqual(authorized, { ok: false, error: refusal });
  });

  test("a subscription the rule allows acts for its caller", () => {
    assert.deepEqual(authorizeSubscription(anyone, officer(), prepared()), { ok: true, caller: officer() });
  });

  test("a rule that lets the public through still gives the engine no caller-less subscription", () => {
    const authorized = authorizeSubscription(anyone, null, prepared());
    assert.equal(authorized.ok, false);
    if (authorized.ok) return;
    assert.equal(authorized.error.extensions.code, "UNAUTHENTICATED");
    assert.match(authorized.error.message, /Subscription\.incidentAlerts needs a bearer token/);
  });
});
