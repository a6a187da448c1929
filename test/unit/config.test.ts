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

test("evidence: 10 MiB images, 20 MiB PDFs and 50 MiB videos by default, files under the data folder", () => {
  const config = loadConfig({});
  assert.deepEqual(config.evidenceLimits, { image: 10 * 1024 * 1024, pdf: 20 * 1024 * 1024, video: 50 * 1024 * 1024 });
  assert.equal(config.evidenceS3, undefined);
});

test("evidence: limits and the S3 bucket are read from the environment; half a credential pair is refused", () => {
  const config = loadConfig({
    KAWAL_EVIDENCE_MAX_VIDEO_BYTES: "104857600",
    KAWAL_EVIDENCE_S3_BUCKET: "kawal-evidence",
    KAWAL_EVIDENCE_S3_ENDPOINT: "http://minio:9000",
    KAWAL_EVIDENCE_S3_ACCESS_KEY_ID: "kawal",
    KAWAL_EVIDENCE_S3_SECRET_ACCESS_KEY: "rahasia-minio",
  });
  assert.equal(config.evidenceLimits.video, 104857600);
  assert.deepEqual(
    [config.evidenceS3?.bucket, config.evidenceS3?.endpoint?.host, config.evidenceS3?.region, config.evidenceS3?.credentials?.accessKeyId],
    ["kawal-evidence", "minio:9000", "us-east-1", "kawal"],
  );
  assert.throws(() => loadConfig({ KAWAL_EVIDENCE_S3_BUCKET: "b", KAWAL_EVIDENCE_S3_ACCESS_KEY_ID: "kawal" }), /KAWAL_EVIDENCE_S3_SECRET_ACCESS_KEY: must be set together/);
  assert.throws(() => loadConfig({ KAWAL_EVIDENCE_MAX_IMAGE_BYTES: "0" }), /KAWAL_EVIDENCE_MAX_IMAGE_BYTES: must be a whole number from 1/);
});

test("webhook settings default to a 30 s lease, retries from 5 s to 1 h for 24 h, and a 10 s timeout; 0 is refused", () => {
  assert.deepEqual(loadConfig({}).webhooks, { leaseSeconds: 30, retryInitialMs: 5000, retryMaxMs: 3_600_000, giveUpSeconds: 86_400, timeoutMs: 10_000 });
  assert.equal(loadConfig({ KAWAL_WEBHOOK_GIVE_UP_SECONDS: "172800" }).webhooks.giveUpSeconds, 172_800);
  assert.throws(() => loadConfig({ KAWAL_WEBHOOK_LEASE_SECONDS: "0" }), /KAWAL_WEBHOOK_LEASE_SECONDS: must be a whole number from 1 to 3600/);
});

test("the gateway merges and batches subgraph reads unless told off; anything but on or off is refused by name", () => {
  const defaults = loadConfig({});
  assert.equal(defaults.mergeSubgraphFetches, true);
  assert.equal(defaults.subgraphBatching, true);
  const off = loadConfig({ KAWAL_MERGE_SUBGRAPH_FETCHES: "off", KAWAL_SUBGRAPH_BATCHING: "off" });
  assert.equal(off.mergeSubgraphFetches, false);
  assert.equal(off.subgraphBatching, false);
  assert.throws(() => loadConfig({ KAWAL_SUBGRAPH_BATCHING: "0" }), /^ConfigError: KAWAL_SUBGRAPH_BATCHING: must be on or off \(got "0"\)$/);
  assert.throws(() => loadConfig({ KAWAL_MERGE_SUBGRAPH_FETCHES: "yes" }), /KAWAL_MERGE_SUBGRAPH_FETCHES: must be on or off/);
});
