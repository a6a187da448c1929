import { ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SUBGRAPH_NAMES } from "../../platform/config";
import { sparePort } from "./ports";

/*
 * `npm start` as its user runs it: `node dist/launcher/start.js` in a process of its own, on a fresh data
 * folder. Its subgraphs use their fixed ports 4001 to 4006, as they do for that user.
 */

const ENTRY = path.join(__dirname, "..", "..", "launcher", "start.js");
export const SUBGRAPH_PORTS = [4001, 4002, 4003, 4004, 4005, 4006];

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A skip reason when another program holds one of the subgraphs' fixed ports, else false. */
export async function skipWithoutSubgraphPorts(): Promise<string | false> {
  const taken: number[] = [];
  for (const port of SUBGRAPH_PORTS) if (!(await portFree(port))) taken.push(port);
  return taken.length ? `ports ${taken.join(", ")} are taken: npm start needs 4001 to 4006` : false;
}

/** A child process of `parent` running subgraphs, and which ones (from its command line). */
export interface SubgraphChild {
  pid: number;
  names: string[];
}

/** The children of `parent` that run subgraphs (Linux /proc; empty elsewhere). */
export function subgraphChildren(parent: number): SubgraphChild[] {
  if (!fs.existsSync("/proc/self/stat")) return [];
  const children: SubgraphChild[] = [];
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(path.join("/proc", entry, "stat"), "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]); // after "(comm) state"
      const argv = fs.readFileSync(path.join("/proc", entry, "cmdline"), "utf8").split("\0");
      if (ppid !== parent || !argv.some((arg) => arg.endsWith("launcher/subgraph.js"))) continue;
      children.push({ pid: Number(entry), names: argv.filter((arg) => (SUBGRAPH_NAMES as readonly string[]).includes(arg)) });
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface EmbeddedHub {
  process: ChildProcess;
  /** The gateway's GraphQL URL. */
  url: string;
  /** Its data folder (the SQLite files). */
  dataDir: string;
  /** The HS256 secret its tokens are signed with. */
  jwtSecret: string;
  /** Lines written so far. */
  stdout: string[];
  stderr: string[];
  /** Resolves with the first line on stdout matching `pattern` (already written or to come); rejects if it exits first. */
  line(pattern: RegExp): Promise<string>;
  /** How it exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it and its subgraph processes if still running, and removes its data folder. */
  cleanUp(): Promise<void>;
}

/** Starts `npm start`'s entry point and waits until it says it is up. `env` adds variables. */
export async function startEmbedded(env: Record<string, string> = {}): Promise<EmbeddedHub> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-embedded-"));
  const jwtSecret = crypto.randomBytes(32).toString("hex");
  const port = await sparePort();
  const inherited = { ...process.env };
  for (const variable of ["DATABASE_URL", "REDIS_URL", "KAWAL_SUBGRAPH_SECRET", "KAWAL_JWKS_URL", "HOST", "NODE_ENV"]) delete inherited[variable];
  const child = spawn(process.execPath, [ENTRY], {
    // LOG_LEVEL info: tests read the supervisor's lines ("... serving again (pid N)") on stdout.
    env: { ...inherited, KAWAL_DATA_DIR: dataDir, KAWAL_JWT_SECRET: jwtSecret, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream, into: string[]) => {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      into.push(...lines);
      for (const wake of waiters) wake();
    });
  };
  collect(child.stdout!, stdout);
  collect(child.stderr!, stderr);
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      ended = true;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = stdout.find((text) => pattern.test(text));
        if (found !== undefined) {
          waiters.delete(check);
          resolve(found);
        } else if (ended) {
          waiters.delete(check);
          reject(new Error(`npm start exited before printing ${pattern}; stderr: ${stderr.join("\n")}`));
        }
      };
      waiters.add(check);
      check();
    });
  const hub: EmbeddedHub = {
    process: child,
    url: `http://127.0.0.1:${port}/graphql`,
    dataDir,
    jwtSecret,
    stdout,
    stderr,
    line,
    exited,
    async cleanUp() {
      if (!ended) {
        for (const { pid } of subgraphChildren(child.pid!)) process.kill(pid, "SIGKILL");
        child.kill("SIGKILL");
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await line(/^Kawal Damai is up/);
  } catch (error) {
    await hub.cleanUp();
    throw error;
  }
  return hub;
}
