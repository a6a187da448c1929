import "reflect-metadata";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { Caller } from "../../caller/claims";
import { HubConfig, loadConfig, SUBGRAPH_NAMES } from "../../platform/config";
import { databaseName } from "../../subgraphs/kit/database";
import { signToken } from "../../caller/tokens";
import { postGraphQL } from "../../platform/graphql-fetch";
import { RunningHub, startHub } from "../../launcher/hub";

export type Backend = "sqlite" | "mysql";

/** The MariaDB/MySQL server the tests use; each test hub creates and drops its own databases there. */
export const MYSQL_URL = process.env.KAWAL_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";

let mysqlReachable: Promise<boolean> | undefined;

/** The backends to run database tests on: SQLite always, MySQL when reachable (required on CI). */
export async function backends(): Promise<Backend[]> {
  mysqlReachable ??= (async () => {
    try {
      const url = new URL(MYSQL_URL);
      const connection = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: url.username || "root", password: url.password });
      await connection.end();
      return true;
    } catch (error) {
      if (process.env.CI) throw new Error(`CI needs MySQL at ${MYSQL_URL}: ${String(error)}`);
      console.warn(`# MySQL at ${MYSQL_URL} is not reachable: running database tests on SQLite only`);
      return false;
    }
  })();
  return (await mysqlReachable) ? ["sqlite", "mysql"] : ["sqlite"];
}

/** The Redis the replica tests use (pub/sub and shared rate limits). */
export const REDIS_URL = process.env.KAWAL_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let redisReachable: Promise<boolean> | undefined;

/** A skip reason when Redis is not reachable (never on CI, where it is required), else false. */
export async function skipWithoutRedis(): Promise<string | false> {
  redisReachable ??= new Promise<boolean>((resolve) => {
    const url = new URL(REDIS_URL);
    const socket = net.connect(Number(url.port || 6379), url.hostname);
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
  if (await redisReachable) return false;
  if (process.env.CI) throw new Error(`CI needs Redis at ${REDIS_URL}`);
  return `Redis at ${REDIS_URL} is not reachable`;
}

/** A test configuration on a fresh database: a temp SQLite folder, or fresh kawal_t<random>_* MySQL databases. */
export function testConfig(backend: Backend, env: Record<string, string> = {}): HubConfig {
  const tag = `t${crypto.randomBytes(4).toString("hex")}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-test-"));
  return loadConfig({
    KAWAL_DATA_DIR: dataDir,
    KAWAL_JWT_SECRET: crypto.randomBytes(32).toString("hex"),
    KAWAL_SUBGRAPH_SECRET: crypto.randomBytes(32).toString("hex"),
    HOST: "127.0.0.1",
    ...(backend === "mysql" ? { DATABASE_URL: `${MYSQL_URL}/kawal_${tag}` } : {}),
    ...env,
  });
}

/** Drops what a test configuration created. */
export async function dropTestData(config: HubConfig): Promise<void> {
  fs.rmSync(config.dataDir, { recursive: true, force: true });
  if (!config.databaseUrl) return;
  const url = config.databaseUrl;
  const connection = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: url.username || "root", password: url.password });
  try {
    for (const name of SUBGRAPH_NAMES) await connection.query(`DROP DATABASE IF EXISTS \`${databaseName(name, config)}\``);
  } finally {
    await connection.end();
  }
}

export interface TestHub {
  hub: RunningHub;
  url: string;
  /** A signed token for a caller (12 h unless `expiresIn` is given). */
  token(caller: Caller, expiresIn?: string): Promise<string>;
  /** POSTs an operation through the gateway, as `caller` (or the public). */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, caller?: Caller | null): ReturnType<typeof postGraphQL<T>>;
  dispose(): Promise<void>;
}

/** The whole hub on free ports and a fresh database; `env` adds or overrides configuration variables. */
export async function startTestHub(backend: Backend = "sqlite", env: Record<string, string> = {}): Promise<TestHub> {
  return testHubOn(testConfig(backend, env));
}

/**
 * The whole hub on free ports over `config` (from testConfig); `dispose` drops the data unless `keepData`, so a
 * second hub on the same configuration finds what the first stored (a restart).
 */
export async function testHubOn(config: HubConfig, { keepData = false } = {}): Promise<TestHub> {
  const hub = await startHub(config, { port: 0, freePorts: true });
  const secret = config.jwtSecret!;
  const token = (caller: Caller, expiresIn?: string) => signToken(secret, caller, expiresIn);
  return {
    hub,
    url: hub.gateway.url,
    token,
    async query(query, variables = {}, caller = null) {
      return postGraphQL(hub.gateway.url, query, variables, caller ? await token(caller) : undefined);
    },
    async dispose() {
      await hub.dispose();
      if (!keepData) await dropTestData(config);
    },
  };
}

/** Callers of the story. Organization ids come from the demo data. */
export const agencyOf = (org: string, regions = ["19.06"]): Caller => ({ sub: `officer-${org}`, role: "AGENCY", org, regions, scopes: [] });
export const ormasOf = (org: string, regions = ["19.06"]): Caller => ({ sub: `volunteer-${org}`, role: "ORMAS", org, regions, scopes: [] });
export const integrator = (scopes: string[], regions = ["19"]): Caller => ({ sub: "partner-tool", role: "INTEGRATOR", regions, scopes });
