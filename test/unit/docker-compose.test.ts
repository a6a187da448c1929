import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";

const hasDockerCompose = spawnSync("docker-compose", ["version"]).status === 0;

test(
  "docker-compose.yml is valid: MySQL, Redis, MinIO (with its bucket set-up), six subgraphs, the gateway, Prometheus and the HTTPS proxy (profile https)",
  { skip: !hasDockerCompose && !process.env.CI ? "docker-compose is not installed" : false },
  () => {
    const env = { ...process.env, MYSQL_ROOT_PASSWORD: "pw", MINIO_ROOT_PASSWORD: "m".repeat(12), KAWAL_JWT_SECRET: "j".repeat(32), KAWAL_SUBGRAPH_SECRET: "s".repeat(32) };
    const cwd = path.join(__dirname, "..", "..", "..");
    const check = spawnSync("docker-compose", ["config", "-q"], { cwd, env, encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    const services = spawnSync("docker-compose", ["config", "--services"], { cwd, env, encoding: "utf8" });
    assert.deepEqual(services.stdout.trim().split("\n").sort(), ["declarations", "elections", "events", "gateway", "https", "identity", "incidents", "minio", "minio-setup", "mysql", "organizations", "prometheus", "redis"]);
  },
);
