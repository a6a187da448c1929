import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../platform/config";

test("nothing configured means the embedded default: SQLite under ./data, gateway on 4000", () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, undefined);
  assert.match(config.dataDir, /data$/);
  assert.equal(config.port, 4000);
  assert.equal(config.subgraphUrls.organizations, "http://127.0.0.1:4001/graphql");
  assert.equal(config.subgraphUrls.incidents, "http://127.0.0.1:4005/graphql");
});

test("a bad value stops start-up with one line naming the variable and the rule", () => {
  assert.throws(() => loadConfig({ PORT: "40o0" }), /^ConfigError: PORT: must be a whole number from 1 to 65535 \(got "40o0"\)$/);
  assert.throws(() => loadConfig({ DATABASE_URL: "postgres://x" }), /DATABASE_URL: must be a URL starting with mysql: or mariadb:/);
  assert.throws(() => loadConfig({ REDIS_URL: "localhost:6379" }), /REDIS_URL/);
  assert.throws(() => loadConfig({ KAWAL_JWT_SECRET: "short" }), /KAWAL_JWT_SECRET: must be at least 32 characters/);
  assert.throws(() => loadConfig({ EVENTS_URL: "ftp://x" }), /EVENTS_URL/);
});

test("MySQL, Redis and subgraph locations are read from the environment", () => {
  const config = loadConfig({ DATABASE_URL: "mysql://root@127.0.0.1:3306", REDIS_URL: "redis://127.0.0.1:6379", EVENTS_URL: "http://events:4003/graphql" });
  assert.equal(config.databaseUrl?.host, "127.0.0.1:3306");
  assert.equal(config.redisUrl?.port, "6379");
  assert.equal(config.subgraphUrls.events, "http://events:4003/graphql");
});
