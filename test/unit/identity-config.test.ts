import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../platform/config";

test("the identity subgraph listens on 4006 (IDENTITY_URL), and access tokens live 15 minutes unless KAWAL_ACCESS_TOKEN_SECONDS says otherwise", () => {
  const config = loadConfig({});
  assert.equal(config.subgraphUrls.identity, "http://127.0.0.1:4006/graphql");
  assert.equal(config.accessTokenSeconds, 900);
  assert.equal(loadConfig({ IDENTITY_URL: "http://identity:4006/graphql" }).subgraphUrls.identity, "http://identity:4006/graphql");
  assert.equal(loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "300" }).accessTokenSeconds, 300);
  assert.throws(() => loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "15m" }), (error) => error instanceof ConfigError && /KAWAL_ACCESS_TOKEN_SECONDS: must be a whole number/.test(error.message));
  assert.throws(() => loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "100000" }), ConfigError);
  assert.throws(() => loadConfig({ KAWAL_ACCESS_TOKEN_SECONDS: "0" }), /KAWAL_ACCESS_TOKEN_SECONDS: must be a whole number from 1 to 86400/);
});
