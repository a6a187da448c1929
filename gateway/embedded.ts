import "reflect-metadata";
import { ConfigError, loadConfig } from "../subgraphs/kit/config";
import { demoTokens, loadDemo } from "./demo";
import { RunningHub, startHub, withGeneratedSecrets } from "./hub";
import { describeNames, SubgraphProcess, SubgraphStartError } from "./subgraph-processes";

/**
 * `npm start`: the whole hub on the embedded default (SQLite under ./data, pub/sub in memory), or on
 * MySQL with DATABASE_URL, each subgraph in its own process so the gateway and the subgraphs use different
 * cores. Loads the Belitung Timur demo on first start and prints ready tokens.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const config = withGeneratedSecrets(loadConfig());
  let hub: RunningHub<SubgraphProcess> | undefined;
  let stopping = false;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    (exitCode === 0 ? console.log : console.error)(`\n${reason}: stopping the hub...`);
    // Before startHub returns there is nothing to dispose here: exiting closes the children's IPC channels,
    // and each child stops itself when its channel closes.
    (hub?.dispose() ?? Promise.resolve()).then(
      () => process.exit(exitCode),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  hub = await startHub(config, {
    subgraphs: "forked",
    // A hub without one of its subgraphs would answer every query touching it with errors and keep failing
    // its writes' reference checks. Rather than limp on (or restart the child here, hiding a crash loop),
    // stop everything with exit code 1: a supervisor (systemd, a container's restart policy) starts the
    // hub again from a clean state, and stderr already says which subgraph died and how.
    onSubgraphExit: ({ subgraphs }) => stop(`${describeNames(subgraphs)} died`, 1),
  });
  process.on("SIGINT", () => stop("SIGINT", 0));
  process.on("SIGTERM", () => stop("SIGTERM", 0));

  const url = hub.gateway.url;
  if (config.jwtSecret) {
    const loaded = await loadDemo(url, config.jwtSecret);
    const tokens = await demoTokens(url, config.jwtSecret);
    console.log(loaded ? "Loaded the Belitung Timur demo data." : "Demo data already loaded; reusing it.");
    console.log(`\nDemo token, Kesbangpol Belitung Timur (AGENCY, regions 19.06), valid 12 hours:\n${tokens.agency}`);
    console.log(`\nDemo token, Perkumpulan Pemuda Peduli Manggar (ORMAS), valid 12 hours:\n${tokens.ormas}`);
  }
  console.log(`\nKawal Damai is up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`  GraphQL:        ${url}`);
  console.log(`  Subscriptions:  ${url.replace(/^http/, "ws")}`);
  console.log(`  Data:           ${config.databaseUrl ? `MySQL ${config.databaseUrl.host}` : config.dataDir}`);
  console.log("Press Ctrl-C to stop.");
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
  else if (error instanceof SubgraphStartError) console.error(error.message); // says which subgraph and why; a stack would add nothing
  else console.error(error);
  process.exit(1);
});
