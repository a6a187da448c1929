import "reflect-metadata";
import { ConfigError, defaultSubgraphPort, HubConfig, loadConfig, SubgraphName } from "../platform/config";
import { stopWithin } from "../platform/shutdown";
import { startTracing } from "../platform/tracing";
import { SubgraphFailure, startSubgraphs } from "../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../subgraphs";
import { parseSubgraphArguments } from "./subgraph-arguments";

/*
 * Subgraphs in one process: `node dist/launcher/subgraph.js <name> [<name> ...] [--port N]` (or SUBGRAPH=<name>),
 * started one after the other (in one process they share type-graphql's metadata, which each schema build
 * resets and rebuilds).
 *
 * Port: `--port N` when given (one subgraph), where 0 lets the system pick a free port for each (the hub's
 * free-port mode; the shared PORT variable cannot say 0, since the gateway's PORT must be a real port);
 * `--port <name>=N` for each subgraph, as the hub restarts a crashed process on the ports it had.
 * Otherwise PORT (one subgraph), otherwise each subgraph's default 4001 to 4005.
 *
 * On SIGTERM (and SIGINT when alone) it drains within KAWAL_DRAIN_SECONDS: requests in flight finish, new
 * ones get 503 with Retry-After, then it exits.
 *
 * Alone (docker-compose), it logs its URL. Forked by the hub with an IPC channel
 * (launcher/subgraph-processes.ts), it speaks the messages below instead, and:
 * - ignores SIGINT: a terminal's Ctrl-C reaches the whole process group, and the hub stops its subgraphs
 *   itself, after the gateway, with SIGTERM;
 * - stops when the channel closes, so it never outlives a hub that was killed.
 */

/** Child to hub: every subgraph it hosts listens, at these URLs. */
export interface ReadyMessage {
  type: "ready";
  urls: Partial<Record<SubgraphName, string>>;
}

/** Child to hub: could not start (a bad variable, a port taken, a database unreachable); it exits next. */
export interface FailedMessage {
  type: "failed";
  /** The subgraph that failed; null when the failure is not one subgraph's (the arguments). */
  subgraph: SubgraphName | null;
  message: string;
}

/** Hub to child: where every subgraph of the hub answers (known only once all have reported ready). */
export interface PeersMessage {
  type: "peers";
  urls: Record<SubgraphName, string>;
}

/** Child to hub: the peers' URLs are in force for reference checks from now on. */
export interface PeersSetMessage {
  type: "peers-set";
}

export type ChildMessage = ReadyMessage | FailedMessage | PeersSetMessage;

function isPeersMessage(message: unknown): message is PeersMessage {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "peers";
}

/** Sends a message to the hub and waits until it is written (so an exit right after cannot drop it). */
function tell(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

async function main(): Promise<void> {
  const forked = Boolean(process.send);
  const { names, port, ports } = parseSubgraphArguments(process.argv.slice(2));
  const config: HubConfig = loadConfig();
  // Before any server starts, so every request is traced (when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  const stopTracing = startTracing(`kawal-${names.join("-")}`);
  const unset = names.filter((name) => ports[name] === undefined);
  if (unset.length > 1 && port === undefined && process.env.PORT) throw new ConfigError("PORT", "names one port, but several subgraphs share the process: use their default ports or --port 0", process.env.PORT);
  const portOf = (name: SubgraphName) => ports[name] ?? port ?? (process.env.PORT ? config.port : defaultSubgraphPort(name));

  const starting = startSubgraphs(
    names.map((name) => SUBGRAPHS[name]),
    config,
    (name) => ({ port: portOf(name), host: config.host }),
  );
  // A stop asked for during start waits for the start (a half-run migration is worse than a late stop);
  // the drain's bound counts from there.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    starting.then(
      (running) =>
        stopWithin({
          seconds: config.drainSeconds,
          exitCode: 0,
          async stop(deadline) {
            for (const subgraph of [...running].reverse()) await subgraph.dispose(deadline);
            await stopTracing();
          },
        }),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", forked ? () => undefined : stop);
  if (forked) {
    process.on("disconnect", stop);
    // config is the object every resolver's context holds, so reference checks see the peers' URLs at once.
    process.on("message", (message: unknown) => {
      if (!isPeersMessage(message)) return;
      Object.assign(config.subgraphUrls, message.urls);
      void tell({ type: "peers-set" });
    });
  }

  const running = await starting;
  if (forked) await tell({ type: "ready", urls: Object.fromEntries(running.map((subgraph) => [subgraph.name, subgraph.url])) });
  else for (const subgraph of running) console.log(`${subgraph.name} subgraph listening at ${subgraph.url}`);
}

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const subgraph = error instanceof SubgraphFailure ? error.subgraph : null;
  if (process.send && process.connected) await tell({ type: "failed", subgraph, message });
  else console.error(subgraph ? `the ${subgraph} subgraph could not start: ${message}` : message);
  process.exit(1);
});
