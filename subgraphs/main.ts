import "reflect-metadata";
import { ConfigError, defaultSubgraphPort, HubConfig, loadConfig, SUBGRAPH_NAMES, SubgraphName } from "./kit/config";
import { RunningSubgraph, startSubgraph } from "./kit/subgraph";
import { SUBGRAPHS } from ".";

/*
 * One subgraph alone: `node dist/subgraphs/main.js <name> [--port N]` (or SUBGRAPH=<name>).
 *
 * Port: `--port N` when given, where 0 lets the system pick a free port (the hub's free-port mode; the
 * shared PORT variable cannot say 0, since the gateway's PORT must be a real port). Otherwise PORT, otherwise
 * the subgraph's default 4001 to 4005.
 *
 * Alone (docker-compose), it logs its URL and stops on SIGINT/SIGTERM. Forked by the hub with an IPC channel
 * (gateway/subgraph-processes.ts), it speaks the messages below instead, and:
 * - ignores SIGINT: a terminal's Ctrl-C reaches the whole process group, and the hub stops its subgraphs
 *   itself, after the gateway, with SIGTERM;
 * - stops when the channel closes, so it never outlives a hub that was killed.
 */

/** Child to hub: listening at `url`. */
export interface ReadyMessage {
  type: "ready";
  url: string;
}

/** Child to hub: could not start (a bad variable, a port taken, a database unreachable); it exits next. */
export interface FailedMessage {
  type: "failed";
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

/** `--port N` or `--port=N`: a whole number from 0 to 65535; undefined when not given. */
function portArgument(argv: string[]): number | undefined {
  const at = argv.findIndex((arg) => arg === "--port" || arg.startsWith("--port="));
  if (at < 0) return undefined;
  const raw = argv[at].startsWith("--port=") ? argv[at].slice("--port=".length) : (argv[at + 1] ?? "");
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new ConfigError("--port", "must be a whole number from 0 to 65535", raw);
  return Number(raw);
}

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
  const name = (process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? process.env.SUBGRAPH) as SubgraphName;
  if (!SUBGRAPH_NAMES.includes(name)) throw new ConfigError("SUBGRAPH", `must be one of ${SUBGRAPH_NAMES.join(", ")}`, String(name));
  const config: HubConfig = loadConfig();
  const port = portArgument(process.argv) ?? (process.env.PORT ? config.port : defaultSubgraphPort(name));

  const starting = startSubgraph(SUBGRAPHS[name], config, { port, host: config.host });
  // A stop asked for during start waits for the start (a half-run migration is worse than a late stop).
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    starting
      .then((running: RunningSubgraph) => running.dispose())
      .then(
        () => process.exit(0),
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
  if (forked) await tell({ type: "ready", url: running.url });
  else console.log(`${name} subgraph listening at ${running.url}`);
}

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (process.send && process.connected) await tell({ type: "failed", message });
  else console.error(message);
  process.exit(1);
});
