import "reflect-metadata";
import { ConfigError, loadConfig } from "../platform/config";
import { stopWithin } from "../platform/shutdown";
import { StartupError } from "../platform/startup";
import { startTracing } from "../platform/tracing";
import { demoTokens, loadDemo, loadDemoAccounts } from "./demo";
import { RunningHub, startHub, withGeneratedSecrets } from "./hub";
import { SubgraphProcess, SubgraphStartError } from "./subgraph-processes";

/**
 * `npm start`: the whole hub on the embedded default (SQLite under ./data, pub/sub in memory), or on
 * MySQL with DATABASE_URL, each subgraph in its own process so the gateway and the subgraphs use different
 * cores. Loads the Belitung Timur demo on first start and prints ready tokens (not with NODE_ENV=production).
 *
 * It is its own supervisor, since whoever runs `npm start` usually has none: a subgraph process that dies
 * is restarted (launcher/subgraph-processes.ts), and only a crash loop stops the hub, with exit code 1 and
 * one line on stderr naming the process, its subgraphs and how it died. SIGTERM and SIGINT drain the hub
 * within KAWAL_DRAIN_SECONDS: the gateway first, its subgraphs after it.
 */
/** Set once a signal or a crash loop began stopping the hub: whatever start-up still did fails with it, and says nothing. */
let stopping = false;

async function main(): Promise<void> {
  const started = Date.now();
  const config = withGeneratedSecrets(loadConfig());
  // The gateway runs in this process; each subgraph process starts its own (launcher/subgraph.ts).
  const stopTracing = startTracing("kawal-gateway");
  let hub: RunningHub<SubgraphProcess> | undefined;
  /** Stops the hub with `exitCode`; `line` goes to stdout for a clean stop, to stderr otherwise. */
  const stop = (line: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    (exitCode === 0 ? console.log : console.error)(line);
    // Before startHub returns there is nothing to dispose here: exiting closes the children's IPC channels,
    // and each child stops itself when its channel closes.
    if (!hub) return process.exit(exitCode);
    const running = hub;
    stopWithin({
      seconds: config.drainSeconds,
      exitCode,
      stop: (deadline) => running.dispose(deadline).then(stopTracing),
      onOverrun: () => {
        console.error(`kawal: the hub did not stop within ${config.drainSeconds} s (KAWAL_DRAIN_SECONDS); killing its subgraph processes`);
        for (const pid of new Set(Object.values(running.subgraphs).map((subgraph) => subgraph.pid))) {
          if (pid === undefined) continue;
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      },
    });
  };
  hub = await startHub(config, {
    subgraphs: "forked",
    // A process that died is restarted with backoff; one that keeps dying would only be restarted to die
    // again, and a hub without those subgraphs answers every query touching them with errors: stop, and say
    // why in one line.
    onSubgraphCrashLoop: (loop) => stop(`kawal: ${loop.message}; stopping the hub`, 1),
  });
  // A line of its own: the terminal has just echoed ^C.
  process.on("SIGINT", () => stop(`\nSIGINT: stopping the hub (within ${config.drainSeconds} s)...`, 0));
  process.on("SIGTERM", () => stop(`SIGTERM: stopping the hub (within ${config.drainSeconds} s)...`, 0));

  const url = hub.gateway.url;
  // The demo is for trying the hub out: a production start loads no invented data (its elections come from
  // `npm run admin -- import-elections`, its first administrator from `npm run admin -- create-admin`).
  if (config.jwtSecret && !config.production) {
    const loaded = await loadDemo(url, config);
    const tokens = await demoTokens(url, config.jwtSecret);
    console.log(loaded ? "Loaded the Belitung Timur demo data." : "Demo data already loaded; reusing it.");
    console.log(`\nDemo token, Kesbangpol Belitung Timur (AGENCY, regions 19.06), valid 12 hours:\n${tokens.agency}`);
    console.log(`\nDemo token, Perkumpulan Pemuda Peduli Manggar (ORMAS), valid 12 hours:\n${tokens.ormas}`);
    console.log("\nDemo accounts (signIn, or POST /auth/sign-in with {\"loginName\", \"password\"}):");
    for (const account of await loadDemoAccounts(url, config)) console.log(`  ${account.description}: ${account.loginName} / ${account.password}`);
  }
  console.log(`\nKawal Damai is up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`  GraphQL:        ${url}`);
  console.log(`  Subscriptions:  ${url.replace(/^http/, "ws")}`);
  console.log(`  Console:        ${new URL("/", url)}   Lapor: ${new URL("/lapor", url)}   Explorer: ${new URL("/graphiql", url)}`);
  console.log(`  Data:           ${config.databaseUrl ? `MySQL ${config.databaseUrl.host}` : config.dataDir}`);
  console.log("Press Ctrl-C to stop.");
}

main().catch((error: unknown) => {
  // Ctrl-C while the demo loads: the stop in progress exits with its own line and code.
  if (stopping) return;
  if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
  // Both say what failed and what to change; a stack would add nothing.
  else if (error instanceof SubgraphStartError || error instanceof StartupError) console.error(`kawal: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
