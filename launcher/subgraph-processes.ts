import { ChildProcess, fork } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { defaultSubgraphPort, HubConfig, SUBGRAPH_NAMES, SubgraphName } from "../platform/config";
// Types only: importing the entry point's values would run it.
import type { ChildMessage, PeersMessage } from "./subgraph";
import { Crash, DEFAULT_RESTART_POLICY, RestartPolicy, SupervisedWorker, supervise, Supervisor, WorkerExit } from "./supervisor";
import { logger } from "../platform/logging";

const log = logger("supervisor");

/*
 * The six subgraphs in child processes of the hub (`dist/launcher/subgraph.js <name> [<name> ...] --port N`),
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
 *
 * Once started, each child is supervised (supervisor.ts): `npm start` has no supervisor of its own to
 * restart a hub that exits. A child that dies is started again, after a backoff, on the ports the first one
 * got (`--port <name>=<port>`), so the gateway's subgraph URLs and the other children's peers stay valid;
 * meanwhile the gateway answers its subgraphs' fields with errors. A crash loop ends supervision of that
 * child and is reported (ForkOptions.onCrashLoop), for the hub's owner to decide.
 */

const ENTRY = path.join(__dirname, "subgraph.js");

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

/** A subgraph process started again after a crash, serving again. */
export interface SubgraphRestart {
  /** The subgraphs it hosts, at the URLs they had. */
  subgraphs: SubgraphName[];
  /** The new process. */
  pid: number | undefined;
}

/** A subgraph process that kept crashing: it is not restarted again. */
export interface SubgraphCrashLoop {
  /** The subgraphs it hosted, now down. */
  subgraphs: SubgraphName[];
  /** The last process that ran them. */
  pid: number | undefined;
  /** The crashes within the window, oldest first. */
  crashes: number;
  /** The crash-loop window, in ms (RestartPolicy.crashLoopWindowMs). */
  windowMs: number;
  /** One line naming the process, its subgraphs, and how it crashed the last time. */
  message: string;
}

export interface ForkOptions {
  /** true: every subgraph on a free port; false: 4001 to 4006. Default false. */
  freePorts?: boolean;
  /**
   * How many processes host the six subgraphs (1 to 6), the subgraphs dealt out over them in order.
   * Default: the cores beyond the gateway's (os.availableParallelism() - 1), at least 1 and at most 5.
   */
  processes?: number;
  /** How long a subgraph may take to migrate its database and listen, in ms. Default 120,000. */
  startTimeoutMs?: number;
  /**
   * How long a subgraph process may take to stop after SIGTERM before it gets SIGKILL, in ms, when its
   * dispose is given no deadline. Default 10,000.
   */
  stopTimeoutMs?: number;
  /**
   * When to restart a process that died and when to give up on it (supervisor.ts). Default
   * DEFAULT_RESTART_POLICY: 0.5 s doubling to 10 s, and 5 crashes within 60 s are a crash loop.
   */
  restartPolicy?: Partial<RestartPolicy>;
  /**
   * Called when a running subgraph process exits without the hub asking (after a log line says which
   * and how); it is restarted unless this exit makes a crash loop. Default: nothing more.
   */
  onUnexpectedExit?: (exit: SubgraphExit) => void;
  /** Called when a restarted process serves its subgraphs again. Default: nothing more (the log says so). */
  onRestart?: (restart: SubgraphRestart) => void;
  /**
   * Called once when a process crash-loops; its subgraphs stay down (the gateway answers their fields with
   * errors). Default: its message logged as an error.
   */
  onCrashLoop?: (loop: SubgraphCrashLoop) => void;
}

/** One running subgraph, in a child process it may share with others. */
export interface SubgraphProcess {
  name: SubgraphName;
  /** The GraphQL endpoint it reported, e.g. http://127.0.0.1:4001/graphql; a restart keeps it. */
  url: string;
  /** The process hosting it now, or the last one that did while a replacement starts. */
  readonly pid: number | undefined;
  /**
   * Stops supervising its process and stops it (and so the subgraphs sharing it): SIGTERM, then SIGKILL at
   * `deadline` (a Date.now() time; default stopTimeoutMs from now). Calling it again, or for another
   * subgraph of the process, waits for the first call.
   */
  dispose(deadline?: number): Promise<void>;
}

/** Where a child's subgraphs listen: their default ports, free ports, or the given ones (a restart). */
type PortChoice = "default" | "free" | Record<SubgraphName, number>;

/** A child being started or running, and what the hub knows of it. */
interface Child extends SupervisedWorker {
  /** The subgraphs it hosts, started in this order. */
  names: SubgraphName[];
  process: ChildProcess;
  /** Set by whoever starts it: a first start and a restart get ready differently. */
  ready: Promise<void>;
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

/** One process per core beyond the gateway's, from 1 to 6. */
export function defaultSubgraphProcesses(): number {
  return Math.min(SUBGRAPH_NAMES.length, Math.max(1, os.availableParallelism() - 1));
}

function describeExit({ code, signal }: WorkerExit): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

function describeCrash(crash: Crash): string {
  if (crash.exit) return `with ${describeExit(crash.exit)}`;
  return `failing to start: ${crash.error instanceof Error ? crash.error.message : String(crash.error)}`;
}

/**
 * The environment of a child: the parent's, with every variable a subgraph reads taken from `config`, and
 * where its peers answer when that is known already (fixed ports, a restart).
 */
function childEnvironment(config: HubConfig, names: SubgraphName[], peers: Record<SubgraphName, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const set = (variable: string, value: string | undefined) => {
    if (value === undefined) delete env[variable];
    else env[variable] = value;
  };
  set("DATABASE_URL", config.databaseUrl?.toString());
  set("KAWAL_DATA_DIR", config.dataDir);
  set("REDIS_URL", config.redisUrl?.toString());
  set("KAWAL_SUBGRAPH_SECRET", config.subgraphSecret);
  set("KAWAL_DRAIN_SECONDS", String(config.drainSeconds));
  set("NODE_ENV", config.production ? "production" : process.env.NODE_ENV === "production" ? undefined : process.env.NODE_ENV);
  set("HOST", "127.0.0.1");
  set("PORT", undefined); // the gateway's; a child's port comes as --port
  // Subgraphs trust the gateway's secret, never tokens: keep the token secret out of them, but for the
  // process of the identity subgraph, which signs the access tokens of signed-in accounts.
  set("KAWAL_JWT_SECRET", names.includes("identity") ? config.jwtSecret : undefined);
  set("KAWAL_SIGNING_KEY_FILE", names.includes("identity") ? config.signingKey?.file : undefined);
  set("KAWAL_ACCESS_TOKEN_SECONDS", String(config.accessTokenSeconds));
  set("KAWAL_CLIENT_SECRET_GRACE_SECONDS", String(config.clientSecretGraceSeconds));
  // The peers message sets them in every case before the child counts as ready.
  for (const name of SUBGRAPH_NAMES) set(`${name.toUpperCase()}_URL`, peers?.[name]);
  return env;
}

/** The command-line port arguments of a child (main.ts): none for the defaults. */
function portArguments(names: SubgraphName[], ports: PortChoice): string[] {
  if (ports === "default") return [];
  if (ports === "free") return ["--port", "0"];
  return names.flatMap((name) => ["--port", `${name}=${ports[name]}`]);
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
      reject(new SubgraphStartError(child.names[0], `${describeNames(child.names)} stopped while starting (${describeExit({ code, signal })}); the output above says why`));
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

/** Forks a child for `names`; its `ready` is the starter's to set (a first start and a restart differ). */
function forkChild(names: SubgraphName[], config: HubConfig, ports: PortChoice, peers: Record<SubgraphName, string> | undefined): Child {
  const subprocess = fork(ENTRY, [...names, ...portArguments(names, ports)], {
    env: childEnvironment(config, names, peers),
    // The parent's own flags (node --test, --inspect=port) are not the child's.
    execArgv: [],
    // Logs go straight to the hub's output; requests and readiness travel over IPC.
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<WorkerExit>((resolve) => subprocess.once("exit", (code, signal) => resolve({ code, signal })));
  subprocess.on("error", () => undefined); // reported by nextMessage while starting; a failed kill later is moot
  let stopping: Promise<void> | undefined;
  return {
    names,
    process: subprocess,
    exited,
    ready: Promise.resolve(),
    stop(deadline) {
      stopping ??= (async () => {
        if (subprocess.exitCode !== null || subprocess.signalCode !== null) return;
        subprocess.kill("SIGTERM");
        const timer = setTimeout(() => subprocess.kill("SIGKILL"), Math.max(0, deadline - Date.now()));
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Waits for a child's "ready" and records the URLs it reported. */
async function awaitReady(child: Child, timeoutMs: number): Promise<void> {
  child.urls = (await nextMessage(child, "ready", timeoutMs)).urls;
}

/** Tells a child where every subgraph answers, and waits until its reference checks use those URLs. */
async function introduce(child: Child, urls: Record<SubgraphName, string>, timeoutMs: number): Promise<void> {
  const applied = nextMessage(child, "peers-set", timeoutMs);
  const peers: PeersMessage = { type: "peers", urls };
  child.process.send(peers);
  await applied;
}

/**
 * A running child must not keep the hub's process alive on its own (the hub's servers do that); should the
 * hub exit without disposing, the child sees its channel close and stops itself.
 */
function release(child: Child): void {
  child.process.unref();
  child.process.channel?.unref();
}

/** The URL a child reported for one of its subgraphs. */
function urlOf(child: Child, name: SubgraphName): string {
  const url = child.urls?.[name];
  if (!url) throw new SubgraphStartError(name, `the ${name} subgraph's process reported no URL for it`);
  return url;
}

interface Timing {
  startTimeoutMs: number;
  stopTimeoutMs: number;
}

/**
 * A replacement for a crashed child: the same subgraphs on the same ports (the URLs every other process and
 * the gateway hold), told where its peers are before it counts as ready.
 */
function restartChild(names: SubgraphName[], config: HubConfig, urls: Record<SubgraphName, string>, timing: Timing): Child {
  const ports = Object.fromEntries(names.map((name) => [name, Number(new URL(urls[name]).port)])) as Record<SubgraphName, number>;
  const child = forkChild(names, config, ports, urls);
  child.ready = (async () => {
    try {
      await awaitReady(child, timing.startTimeoutMs);
      for (const name of names) {
        if (urlOf(child, name) !== urls[name]) throw new SubgraphStartError(name, `the ${name} subgraph came back at ${urlOf(child, name)}, not ${urls[name]}`);
      }
      await introduce(child, urls, timing.startTimeoutMs);
      release(child);
    } catch (error) {
      // Gone before the next attempt, so that one finds the ports free.
      await child.stop(Date.now() + timing.stopTimeoutMs);
      throw error;
    }
  })();
  return child;
}

/** Supervises a started child: restarts it when it dies, reports each crash, a restart and a crash loop. */
function superviseChild(first: Child, config: HubConfig, urls: Record<SubgraphName, string>, timing: Timing, options: ForkOptions): Supervisor<Child> {
  const names = first.names;
  const them = names.length === 1 ? "it" : "them";
  const supervisor = supervise(first, {
    ...options.restartPolicy,
    restart: () => restartChild(names, config, urls, timing),
    onCrash: (crash, restartInMs) => {
      const pid = crash.worker.process.pid;
      const next = restartInMs === null ? "" : `; restarting ${them} in ${restartInMs / 1000} s`;
      if (crash.exit) {
        // The crash-loop line (onCrashLoop) says the rest when there is no restart.
        if (restartInMs !== null) log.error(`${describeNames(names)} (pid ${pid}) stopped unexpectedly (${describeExit(crash.exit)})${next}`);
        options.onUnexpectedExit?.({ subgraphs: names, pid, ...crash.exit });
      } else if (restartInMs !== null) {
        log.error(`restarting ${describeNames(names)} failed: ${describeCrash(crash)}${next}`);
      }
    },
    onRestart: (child) => {
      log.info(`${describeNames(names)} serving again (pid ${child.process.pid})`);
      options.onRestart?.({ subgraphs: names, pid: child.process.pid });
    },
  });
  void supervisor.ended.then((end) => {
    if (end.reason !== "crash-loop") return;
    const last = end.crashes[end.crashes.length - 1];
    const windowMs = options.restartPolicy?.crashLoopWindowMs ?? DEFAULT_RESTART_POLICY.crashLoopWindowMs;
    const pid = last.worker.process.pid;
    const loop: SubgraphCrashLoop = {
      subgraphs: names,
      pid,
      crashes: end.crashes.length,
      windowMs,
      message: `the process of ${describeNames(names)} crashed ${end.crashes.length} times within ${windowMs / 1000} s, the last time (pid ${pid}) ${describeCrash(last)}`,
    };
    if (options.onCrashLoop) options.onCrashLoop(loop);
    else log.error(`${loop.message}; not restarting ${them} again`);
  });
  return supervisor;
}

/** Stops children one after the other, last started first. */
async function stopAll(children: Child[], deadline: number): Promise<void> {
  for (const child of [...children].reverse()) await child.stop(deadline);
}

/**
 * Forks the processes hosting the six subgraphs (in parallel), waits until every subgraph listens, tells
 * each process where the others are, and returns the subgraphs, each process supervised from then on. When
 * any fails to start, stops the others and rejects with that subgraph's error.
 */
export async function forkSubgraphs(config: HubConfig, options: ForkOptions = {}): Promise<Record<SubgraphName, SubgraphProcess>> {
  const timing: Timing = { startTimeoutMs: options.startTimeoutMs ?? 120_000, stopTimeoutMs: options.stopTimeoutMs ?? 10_000 };
  const ports: PortChoice = options.freePorts ? "free" : "default";
  // Known now only for fixed ports.
  const knownPeers = options.freePorts ? undefined : (Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${defaultSubgraphPort(name)}/graphql`])) as Record<SubgraphName, string>);
  const children = subgraphGroups(options.processes ?? defaultSubgraphProcesses()).map((names) => forkChild(names, config, ports, knownPeers));
  const urls = {} as Record<SubgraphName, string>;
  try {
    await Promise.all(children.map((child) => awaitReady(child, timing.startTimeoutMs)));
    for (const child of children) for (const name of child.names) urls[name] = urlOf(child, name);
    await Promise.all(children.map((child) => introduce(child, urls, timing.startTimeoutMs)));
  } catch (error) {
    await stopAll(children, Date.now() + timing.stopTimeoutMs);
    throw error;
  }

  const processes = {} as Record<SubgraphName, SubgraphProcess>;
  for (const child of children) {
    release(child);
    const supervisor = superviseChild(child, config, urls, timing, options);
    for (const name of child.names) {
      processes[name] = {
        name,
        url: urls[name],
        get pid() {
          return supervisor.latest.process.pid;
        },
        dispose: (deadline) => supervisor.dispose(deadline ?? Date.now() + timing.stopTimeoutMs),
      };
    }
  }
  return processes;
}
