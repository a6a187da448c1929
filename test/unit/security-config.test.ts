import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../platform/config";

test("identity-provider and rate-limit settings are read and validated with a one-line message", () => {
  const config = loadConfig({ KAWAL_JWT_ISSUER: "https://sso.test", KAWAL_JWT_AUDIENCE: "kawal", KAWAL_RATE_LIMIT_MUTATIONS: "30" });
  assert.equal(config.jwtIssuer, "https://sso.test");
  assert.equal(config.jwtAudience, "kawal");
  assert.equal(config.rateLimitMutations, 30);
  assert.equal(loadConfig({}).rateLimitMutations, 120, "the default lets the demo loader and the tests through");
  assert.throws(() => loadConfig({ KAWAL_RATE_LIMIT_MUTATIONS: "lots" }), (error: Error) => error instanceof ConfigError && /^KAWAL_RATE_LIMIT_MUTATIONS: must be a whole number/.test(error.message));
  assert.throws(() => loadConfig({ KAWAL_JWT_AUDIENCE: "kawal " }), /^ConfigError: KAWAL_JWT_AUDIENCE: must not start or end with blanks|KAWAL_JWT_AUDIENCE/);
});
