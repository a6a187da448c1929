import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";

/** Where and with what the numbers were measured, so anyone can compare their own run. */
export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  commit: string;
  packages: Record<string, string>;
  sqlite: string;
  mysql: string | null;
  /** 1-minute load average when the run started and ended: other work on the machine skews the numbers. */
  loadAverage: { start: number; end?: number };
}

/** better-sqlite3 ships no types; this is the little of it used here. */
interface SqliteHandle {
  prepare(sql: string): { get(): unknown };
  close(): void;
}
const Database = require("better-sqlite3") as new (file: string) => SqliteHandle;

const PACKAGES = [
  "@apollo/gateway",
  "@apollo/server",
  "@apollo/subgraph",
  "graphql",
  "type-graphql",
  "typeorm",
  "better-sqlite3",
  "mysql2",
  "autocannon",
  // The gateway compared with ours in part "hive" (issue 19).
  "@graphql-hive/gateway",
  "@graphql-hive/gateway-runtime",
  "@graphql-hive/router-runtime",
  "@graphql-hive/router-query-planner",
];

function installedVersion(name: string): string {
  try {
    // Read from node_modules directly: some packages' "exports" hide their package.json from require.resolve.
    const file = path.join(__dirname, "..", "..", "..", "node_modules", name, "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return "?";
  }
}

async function mysqlVersion(url: string): Promise<string | null> {
  try {
    const parsed = new URL(url);
    const connection = await mysql.createConnection({ host: parsed.hostname, port: Number(parsed.port || 3306), user: decodeURIComponent(parsed.username || "root"), password: decodeURIComponent(parsed.password) });
    try {
      const [rows] = await connection.query("SELECT VERSION() AS version");
      return (rows as Array<{ version: string }>)[0].version;
    } finally {
      await connection.end();
    }
  } catch {
    return null;
  }
}

/** Versions of the packages the numbers depend on, as installed. */
export function packageVersions(): Record<string, string> {
  return Object.fromEntries(PACKAGES.map((name) => [name, installedVersion(name)]));
}

export async function describeMachine(mysqlUrl: string): Promise<Machine> {
  const memory = new Database(":memory:");
  const sqlite = (memory.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
  memory.close();
  return {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "?",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: gitCommit(),
    packages: packageVersions(),
    sqlite,
    mysql: await mysqlVersion(mysqlUrl),
    loadAverage: { start: Math.round(os.loadavg()[0] * 100) / 100 },
  };
}
