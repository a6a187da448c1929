import { ChildProcess, fork } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { defaultSubgraphPort, HubConfig, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/kit/config";
// Types only: importing the entry point's values would run it.
import type { ChildMessage, PeersMessage } from "../subgraphs/main";

/*
 * The five subgraphs in child processes of the hub (`dist/subgraphs/main.js <name> [<name> ...] --port N`),
 * so the gateway and the subgraphs run on different cores: by default one process per core beyond the
 * gateway's, the subgraphs spread over them (ForkOptions.processes). On two cores that is one process for all
 * five: measured there (MySQL, national size, the incident list reaching four subgraphs), five processes
 * cost 3.0 to 5.9 ms of subgraph CPU per request against 2.2 to 2.4 ms in one, in context switches and
 * caches gone cold between requests. The protocol with a child, over the fork's IPC channel:
 *   child -> hub  { type: "ready", urls } once all its subgraphs listen, or { type: "failed", subgraph,
 *                 message } before it exits;
 *   hub -> child  { type: "peers", urls } once every subgraph is ready (free ports are only known then);
 *   child -> hub  { type: "peers-set" } once its reference checks use those URLs.
 * They start in parallel: no subgraph calls another while starting (loadReferenceData and start get only
 * their own database and the pub/sub); the calls between subgraphs are reference checks during writes, and
 * the hub sends the peers' URLs before the gateway takes any request.
 */

const ENTRY = path.join(__dirname, "..", "subgraphs", "main.js");

/** A subgraph process that could not start; the message names the subgraph and says why. */
export class SubgraphStartError extends Error {
  constructor(
    readonly subgraph: SubgraphName,
    message: string,
  ) {
    super(message);
    this.name = "SubgraphStartError";
  }
}

/** How a subgraph process ended. */
export interface SubgraphExit {
  /** The subgraphs it hosted. */
  subgraphs: SubgraphName[];
  pid: number | undefined;
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ForkOptions {
  /** true: every subgraph on a free port; false: 4001 to 4005. Default false. */
  freePorts?: boolean;
  /**
   * How many processes host the five subgraphs (1 to 5), the subgraphs dealt out over them in order.
   * Default: the cores beyond the gateway's (os.availableParallelism() - 1), at least 1 and at most 5.
   */
  processes?: number;
  /** How long a subgraph may take to migrate its database and listen, in ms. Default 120,000. */
  startTimeoutMs?: number;
  /** How long a subgraph may take to stop after SIGTERM before it gets SIGKILL, in ms. Default 10,000. */
  stopTimeoutMs?: number;
  /**
   * Called when a running subgraph process exits without the hub asking (after a line on stderr says which
   * and how). Default: nothing more; the gateway then answers that subgraph's fields with errors.
   */
  onUnexpectedExit?: (exit: SubgraphExit) => void;
}

/** One running subgraph, in a child process it may share with others. */
export interface SubgraphProcess {
  name: SubgraphName;
  /** The GraphQL endpoint it reported, e.g. http://127.0.0.1:4001/graphql. */
  url: string;
  /** The process hosting it. */
  pid: number | undefined;
  /**
   * SIGTERM to its process (and so to the subgraphs sharing it), then waits for the exit (SIGKILL after
   * stopTimeoutMs); calling it again, or for another subgraph of the process, waits for the first call.
   */
  dispose(): Promise<void>;
}

/** A child being started or running, and what the hub knows of it. */
interface Child {
  /** The subgraphs it hosts, started in this order. */
  names: SubgraphName[];
  process: ChildProcess;
  /** Resolves once the process has exited (whenever that is). */
  exited: Promise<void>;
  /** Set once the hub asks it to stop: its exit is then expected. */
  stopping?: Promise<void>;
  /** The URLs it reported once ready. */
  urls?: Partial<Record<SubgraphName, string>>;
}

/** "the events subgraph", "the organizations, elections and events subgraphs". */
export function describeNames(names: SubgraphName[]): string {
  return names.length === 1 ? `the ${names[0]} subgraph` : `the ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} subgraphs`;
}

/** The subgraphs dealt out over `processes` groups in order (organizations, elections, ... round the groups). */
export function subgraphGroups(processes: number): SubgraphName[][] {
  if (!Number.isInteger(processes) || processes < 1 || processes > SUBGRAPH_NAMES.length) {
    throw new RangeError(`processes: must be a whole number from 1 to ${SUBGRAPH_NAMES.length} (got ${processes})`);
  }
  const groups: SubgraphName[][] = Array.from({ length: processes }, () => []);
  SUBGRAPH_NAMES.forEach((name, index) => groups[index % processes].push(name));
  return groups;
}

/** One process per core beyond the gateway's, from 1 to 5. */
export function defaultSubgraphProcesses(): number {
  return Math.min(SUBGRAPH_NAMES.length, Math.max(1, os.availableParallelism() - 1));
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** The environment of a child: the parent's, with every variable a subgraph reads taken from `config`. */
function childEnvironment(config: HubConfig, freePorts: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const set = (variable: string, value: string | undefined) => {
    if (value === undefined) delete env[variable];
    else env[variable] = value;
  };
  set("DATABASE_URL", config.databaseUrl?.toString());
  set("KAWAL_DATA_DIR", config.dataDir);
  set("REDIS_URL", config.redisUrl?.toString());
  set("KAWAL_SUBGRAPH_SECRET", config.subgraphSecret);
  set("NODE_ENV", config.production ? "production" : process.env.NODE_ENV === "production" ? undefined : process.env.NODE_ENV);
  set("HOST", "127.0.0.1");
  set("PORT", undefined); // the gateway's; a child's port comes as --port
  set("KAWAL_JWT_SECRET", undefined); // subgraphs trust the gateway's secret, never tokens: keep it out of them
  for (const name of SUBGRAPH_NAMES) {
    // Known now only for fixed ports; the peers message sets them in every case before the gateway starts.
    set(`${name.toUpperCase()}_URL`, freePorts ? undefined : `http://127.0.0.1:${defaultSubgraphPort(name)}/graphql`);
  }
  return env;
}

function isChildMessage(message: unknown): message is ChildMessage {
  const type = typeof message === "object" && message !== null ? (message as { type?: unknown }).type : undefined;
  return type === "ready" || type === "failed" || type === "peers-set";
}

/**
 * Waits for a child's message of one type; rejects when it fails, exits or takes longer than timeoutMs.
 * Every rejection names the subgraph.
 */
function nextMessage<T extends ChildMessage["type"]>(child: Child, type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.process.off("message", onMessage);
      child.process.off("exit", onExit);
      child.process.off("error", onError);
    };
    const onMessage = (message: unknown) => {
      if (!isChildMessage(message)) return;
      if (message.type === "failed") {
        done();
        const failed = message.subgraph ?? child.names[0];
        reject(new SubgraphStartError(failed, `${describeNames(message.subgraph ? [message.subgraph] : child.names)} could not start: ${message.message}`));
      } else if (message.type === type) {
        done();
        resolve(message as Extract<ChildMessage, { type: T }>);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      done();
      reject(new SubgraphStartError(child.names[0], `${describeNames(child.names)} stopped while starting (${describeExit(code, signal)}); the output above says why`));
    };
    const onError = (error: Error) => {
      done();
      reject(new SubgraphStartError(child.names[0], `${describeNames(child.names)} could not be started: ${error.message}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new SubgraphStartError(child.names[0], `${describeNames(child.names)} did not answer within ${timeoutMs / 1000} s (waiting for "${type}")`));
    }, timeoutMs);
    child.process.on("message", onMessage);
    child.process.once("exit", onExit);
    child.process.once("error", onError);
    // It may have died before we listened (between "ready" and "peers"): its exit event is gone by now.
    if (child.process.exitCode !== null || child.process.signalCode !== null) onExit(child.process.exitCode, child.process.signalCode);
  });
}

function forkChild(names: SubgraphName[], config: HubConfig, freePorts: boolean): Child {
  // Fixed ports: each subgraph's default (no --port), as `npm start` and docker-compose use them.
  const child = fork(ENTRY, [...names, ...(freePorts ? ["--port", "0"] : [])], {
    env: childEnvironment(config, freePorts),
    // The parent's own flags (node --test, --inspect=port) are not the child's.
    execArgv: [],
    // Logs go straight to the hub's output; requests and readiness travel over IPC.
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.on("error", () => undefined); // reported by nextMessage while starting; a failed kill later is moot
  return { names, process: child, exited };
}

/** Asks a child to stop, and waits until it has (SIGKILL after timeoutMs). */
function stopChild(child: Child, timeoutMs: number): Promise<void> {
  child.stopping ??= (async () => {
    const running = child.process.exitCode === null && child.process.signalCode === null;
    if (!running) return;
    child.process.kill("SIGTERM");
    const timer = setTimeout(() => child.process.kill("SIGKILL"), timeoutMs);
    await child.exited;
    clearTimeout(timer);
  })();
  return child.stopping;
}

/** Stops children one after the other, last started first. */
async function stopAll(children: Child[], timeoutMs: number): Promise<void> {
  for (const child of [...children].reverse()) await stopChild(child, timeoutMs);
}

/**
 * Forks the processes hosting the five subgraphs (in parallel), waits until every subgraph listens, tells
 * each process where the others are, and returns the subgraphs. When any fails to start, stops the others
 * and rejects with that subgraph's error.
 */
export async function forkSubgraphs(config: HubConfig, options: ForkOptions = {}): Promise<Record<SubgraphName, SubgraphProcess>> {
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const children = subgraphGroups(options.processes ?? defaultSubgraphProcesses()).map((names) => forkChild(names, config, options.freePorts ?? false));
  try {
    await Promise.all(
      children.map(async (child) => {
        child.urls = (await nextMessage(child, "ready", startTimeoutMs)).urls;
      }),
    );
    const peers: PeersMessage = { type: "peers", urls: {} as Record<SubgraphName, string> };
    for (const child of children) for (const name of child.names) peers.urls[name] = urlOf(child, name);
    await Promise.all(
      children.map((child) => {
        const applied = nextMessage(child, "peers-set", startTimeoutMs);
        child.process.send(peers);
        return applied;
      }),
    );
  } catch (error) {
    await stopAll(children, stopTimeoutMs);
    throw error;
  }

  const processes = {} as Record<SubgraphName, SubgraphProcess>;
  for (const child of children) {
    child.process.once("exit", (code, signal) => {
      if (child.stopping) return;
      const exit: SubgraphExit = { subgraphs: child.names, pid: child.process.pid, code, signal };
      console.error(`kawal: ${describeNames(child.names)} (pid ${exit.pid}) stopped unexpectedly (${describeExit(code, signal)})`);
      options.onUnexpectedExit?.(exit);
    });
    // Running children must not keep the hub's process alive on their own (its servers do that); should the
    // hub exit without disposing, each child sees its channel close and stops itself.
    child.process.unref();
    child.process.channel?.unref();
    for (const name of child.names) {
      processes[name] = { name, url: urlOf(child, name), pid: child.process.pid, dispose: () => stopChild(child, stopTimeoutMs) };
    }
  }
  return processes;
}

/** The URL a child reported for one of its subgraphs. */
function urlOf(child: Child, name: SubgraphName): string {
  const url = child.urls?.[name];
  if (!url) throw new SubgraphStartError(name, `the ${name} subgraph's process reported no URL for it`);
  return url;
}
