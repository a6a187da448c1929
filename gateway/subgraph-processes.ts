import { ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { defaultSubgraphPort, HubConfig, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/kit/config";
// Types only: importing the entry point's values would run it.
import type { ChildMessage, PeersMessage } from "../subgraphs/main";

/*
 * The five subgraphs as child processes of the hub (`dist/subgraphs/main.js <name> --port N`), so the
 * gateway and the subgraphs run on different cores. The protocol with a child, over the fork's IPC channel:
 *   child -> hub  { type: "ready", url } once listening, or { type: "failed", message } before it exits;
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
  name: SubgraphName;
  pid: number | undefined;
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ForkOptions {
  /** true: every subgraph on a free port; false: 4001 to 4005. Default false. */
  freePorts?: boolean;
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

/** One running subgraph process. */
export interface SubgraphProcess {
  name: SubgraphName;
  /** The GraphQL endpoint it reported, e.g. http://127.0.0.1:4001/graphql. */
  url: string;
  pid: number | undefined;
  /** SIGTERM, then waits for the exit (SIGKILL after stopTimeoutMs); calling it again waits for the first call. */
  dispose(): Promise<void>;
}

/** A child being started or running, and what the hub knows of it. */
interface Child {
  name: SubgraphName;
  process: ChildProcess;
  /** Resolves once the process has exited (whenever that is). */
  exited: Promise<void>;
  /** Set once the hub asks it to stop: its exit is then expected. */
  stopping?: Promise<void>;
  /** The URL it reported once ready. */
  url?: string;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** The environment of a child: the parent's, with every variable a subgraph reads taken from `config`. */
function childEnvironment(config: HubConfig, port: number): NodeJS.ProcessEnv {
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
    set(`${name.toUpperCase()}_URL`, port === 0 ? undefined : `http://127.0.0.1:${defaultSubgraphPort(name)}/graphql`);
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
        reject(new SubgraphStartError(child.name, `the ${child.name} subgraph could not start: ${message.message}`));
      } else if (message.type === type) {
        done();
        resolve(message as Extract<ChildMessage, { type: T }>);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      done();
      reject(new SubgraphStartError(child.name, `the ${child.name} subgraph stopped while starting (${describeExit(code, signal)}); its output above says why`));
    };
    const onError = (error: Error) => {
      done();
      reject(new SubgraphStartError(child.name, `the ${child.name} subgraph could not be started: ${error.message}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new SubgraphStartError(child.name, `the ${child.name} subgraph did not answer within ${timeoutMs / 1000} s (waiting for "${type}")`));
    }, timeoutMs);
    child.process.on("message", onMessage);
    child.process.once("exit", onExit);
    child.process.once("error", onError);
    // It may have died before we listened (between "ready" and "peers"): its exit event is gone by now.
    if (child.process.exitCode !== null || child.process.signalCode !== null) onExit(child.process.exitCode, child.process.signalCode);
  });
}

function forkChild(name: SubgraphName, config: HubConfig, port: number): Child {
  const child = fork(ENTRY, [name, "--port", String(port)], {
    env: childEnvironment(config, port),
    // The parent's own flags (node --test, --inspect=port) are not the child's.
    execArgv: [],
    // Logs go straight to the hub's output; requests and readiness travel over IPC.
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.on("error", () => undefined); // reported by nextMessage while starting; a failed kill later is moot
  return { name, process: child, exited };
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
 * Forks the five subgraphs (in parallel), waits until each listens, tells each where the others are, and
 * returns them. When any fails to start, stops the others and rejects with that subgraph's error.
 */
export async function forkSubgraphs(config: HubConfig, options: ForkOptions = {}): Promise<Record<SubgraphName, SubgraphProcess>> {
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const children = SUBGRAPH_NAMES.map((name) => forkChild(name, config, options.freePorts ? 0 : defaultSubgraphPort(name)));
  try {
    await Promise.all(
      children.map(async (child) => {
        child.url = (await nextMessage(child, "ready", startTimeoutMs)).url;
      }),
    );
    const peers: PeersMessage = { type: "peers", urls: {} as Record<SubgraphName, string> };
    for (const child of children) peers.urls[child.name] = child.url!;
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
      const exit: SubgraphExit = { name: child.name, pid: child.process.pid, code, signal };
      console.error(`kawal: the ${child.name} subgraph (pid ${exit.pid}) stopped unexpectedly (${describeExit(code, signal)})`);
      options.onUnexpectedExit?.(exit);
    });
    // Running children must not keep the hub's process alive on their own (its servers do that); should the
    // hub exit without disposing, each child sees its channel close and stops itself.
    child.process.unref();
    child.process.channel?.unref();
    processes[child.name] = { name: child.name, url: child.url!, pid: child.process.pid, dispose: () => stopChild(child, stopTimeoutMs) };
  }
  return processes;
}
