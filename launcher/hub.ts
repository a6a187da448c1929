import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { defaultSubgraphPort, HubConfig, SUBGRAPH_NAMES, SubgraphName } from "../platform/config";
import { RunningSubgraph, startSubgraphs } from "../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../subgraphs";
import { RunningGateway, startGateway } from "../gateway/server";
import { forkSubgraphs, SubgraphCrashLoop, SubgraphExit, SubgraphProcess, SubgraphRestart } from "./subgraph-processes";
import type { RestartPolicy } from "./supervisor";

/** Where the hub runs its subgraphs: beside the gateway in this process, or each in a child process. */
export type SubgraphMode = "in-process" | "forked";

export interface HubOptions {
  /** Gateway port; 0 picks a free one. Default config.port. */
  port?: number;
  /** true: every subgraph on a free port (tests); false: 4001 to 4005. Default false. */
  freePorts?: boolean;
  /**
   * "in-process": the subgraphs run in this process beside the gateway, and `subgraphs` holds their handles
   * with their databases (tests count SQL statements and stop one subgraph through them). "forked": the
   * subgraphs run in child processes (launcher/subgraph-processes.ts), so the gateway and the subgraphs use
   * different cores; `npm start` and the benchmarks run this way. Default "in-process".
   */
  subgraphs?: SubgraphMode;
  /** "forked" only: how many child processes host the five subgraphs (ForkOptions.processes). Default: one per core beyond the gateway's, 1 to 5. */
  subgraphProcesses?: number;
  /**
   * "forked" only: when a subgraph process that died is restarted, and when it is given up on
   * (ForkOptions.restartPolicy). Default DEFAULT_RESTART_POLICY: 0.5 s doubling to 10 s, and 5 crashes
   * within 60 s are a crash loop.
   */
  restartPolicy?: Partial<RestartPolicy>;
  /**
   * "forked" only: called when a subgraph process dies while the hub runs (the log already names its
   * subgraphs and its exit code). It is restarted on the same ports; meanwhile the gateway answers their
   * fields with errors. Default: nothing more.
   */
  onSubgraphExit?: (exit: SubgraphExit) => void;
  /** "forked" only: called when a restarted subgraph process serves again. Default: nothing more. */
  onSubgraphRestart?: (restart: SubgraphRestart) => void;
  /**
   * "forked" only: called once when a subgraph process crash-loops and is not restarted again.
   * Default: its message logged as an error, and the hub runs on without those subgraphs.
   */
  onSubgraphCrashLoop?: (loop: SubgraphCrashLoop) => void;
}

/** What a hub knows of each subgraph wherever it runs: its name, its URL, how to stop it. */
export interface SubgraphHandle {
  name: SubgraphName;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql (also in config.subgraphUrls). */
  url: string;
  /** Stops it, draining first; by `deadline` (a Date.now() time) at the latest. */
  dispose(deadline?: number): Promise<void>;
}

/**
 * A running hub. `S` is what `subgraphs` holds: RunningSubgraph (with its database) in process, the
 * default; SubgraphProcess (with its pid) when forked; SubgraphHandle when the mode is not known statically.
 */
export interface RunningHub<S extends SubgraphHandle = RunningSubgraph> {
  /** The configuration in force; subgraphUrls are where the subgraphs actually listen. */
  config: HubConfig;
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, S>;
  /**
   * Drains and stops the gateway (new requests get 503, those in flight finish, subscription sockets close
   * with 1001), then the subgraphs in reverse start order (closing their databases), all by `deadline` (a
   * Date.now() time; default config.drainSeconds from now). Calling it again waits for the first call.
   */
  dispose(deadline?: number): Promise<void>;
}

/** Reads a generated secret from the data folder, creating it on first start (mode 0600). */
function generatedSecret(dataDir: string, file: string): string {
  const location = path.join(dataDir, file);
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(location)) fs.writeFileSync(location, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
  return fs.readFileSync(location, "utf8").trim();
}

/** The embedded default's secrets: generated into the data folder when the environment sets none. */
export function withGeneratedSecrets(config: HubConfig): HubConfig {
  return {
    ...config,
    jwtSecret: config.jwtSecret ?? (config.jwksUrl ? undefined : generatedSecret(config.dataDir, "jwt-secret")),
    subgraphSecret: config.subgraphSecret ?? generatedSecret(config.dataDir, "subgraph-secret"),
  };
}

/** The five subgraphs in this process on 127.0.0.1, each with its own database. */
async function startInProcess(config: HubConfig, freePorts: boolean): Promise<Record<SubgraphName, RunningSubgraph>> {
  const running = await startSubgraphs(
    SUBGRAPH_NAMES.map((name) => SUBGRAPHS[name]),
    config,
    (name) => ({ port: freePorts ? 0 : defaultSubgraphPort(name), host: "127.0.0.1" }),
  );
  return Object.fromEntries(running.map((subgraph) => [subgraph.name, subgraph])) as Record<SubgraphName, RunningSubgraph>;
}

/** Stops the subgraphs one after the other, last started first (either mode). */
async function disposeSubgraphs(subgraphs: Record<SubgraphName, SubgraphHandle>, deadline?: number): Promise<void> {
  for (const name of [...SUBGRAPH_NAMES].reverse()) await subgraphs[name].dispose(deadline);
}

/**
 * The gateway's share of a stop: all of it but what the subgraphs need to close after it (up to a second,
 * a quarter of a short stop). Its requests in flight need the subgraphs, so they stop only after it.
 */
function gatewayDeadline(deadline: number): number {
  return deadline - Math.min(1000, Math.max(0, deadline - Date.now()) / 4);
}

/**
 * The whole hub: the five subgraphs on 127.0.0.1 (each with its own database), in this process or each in
 * its own (HubOptions.subgraphs), then the gateway in this process in front of them.
 */
export function startHub(config: HubConfig, options?: HubOptions & { subgraphs?: "in-process" }): Promise<RunningHub<RunningSubgraph>>;
export function startHub(config: HubConfig, options: HubOptions & { subgraphs: "forked" }): Promise<RunningHub<SubgraphProcess>>;
export function startHub(config: HubConfig, options?: HubOptions): Promise<RunningHub<SubgraphHandle>>;
export async function startHub(baseConfig: HubConfig, options: HubOptions = {}): Promise<RunningHub<SubgraphHandle>> {
  const config: HubConfig = { ...baseConfig, subgraphUrls: { ...baseConfig.subgraphUrls } };
  const freePorts = options.freePorts ?? false;
  const subgraphs: Record<SubgraphName, SubgraphHandle> =
    options.subgraphs === "forked"
      ? await forkSubgraphs(config, {
          freePorts,
          processes: options.subgraphProcesses,
          restartPolicy: options.restartPolicy,
          onUnexpectedExit: options.onSubgraphExit,
          onRestart: options.onSubgraphRestart,
          onCrashLoop: options.onSubgraphCrashLoop,
        })
      : await startInProcess(config, freePorts);
  for (const name of SUBGRAPH_NAMES) config.subgraphUrls[name] = subgraphs[name].url;
  try {
    const gateway = await startGateway(config, { port: options.port });
    let disposed: Promise<void> | undefined;
    return {
      config,
      gateway,
      subgraphs,
      dispose(deadline = Date.now() + config.drainSeconds * 1000) {
        disposed ??= (async () => {
          await gateway.dispose(gatewayDeadline(deadline));
          await disposeSubgraphs(subgraphs, deadline);
        })();
        return disposed;
      },
    };
  } catch (error) {
    await disposeSubgraphs(subgraphs);
    throw error;
  }
}
