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

test("webhook settings default to a 30 s lease, retries from 5 s to 1 h for 24 h, and a 10 s timeout; 0 is refused", () => {
  assert.deepEqual(loadConfig({}).webhooks, { leaseSeconds: 30, retryInitialMs: 5000, retryMaxMs: 3_600_000, giveUpSeconds: 86_400, timeoutMs: 10_000 });
  assert.equal(loadConfig({ KAWAL_WEBHOOK_GIVE_UP_SECONDS: "172800" }).webhooks.giveUpSeconds, 172_800);
  assert.throws(() => loadConfig({ KAWAL_WEBHOOK_LEASE_SECONDS: "0" }), /KAWAL_WEBHOOK_LEASE_SECONDS: must be a whole number from 1 to 3600/);
});
