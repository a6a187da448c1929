import "reflect-metadata";
import { ConfigError, loadConfig } from "../subgraphs/kit/config";
import { demoTokens, loadDemo } from "./demo";
import { startHub, withGeneratedSecrets } from "./hub";

/**
 * `npm start`: the whole hub on the embedded default (SQLite under ./data, pub/sub in memory), or on
 * MySQL with DATABASE_URL. Loads the Belitung Timur demo on first start and prints ready tokens.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const config = withGeneratedSecrets(loadConfig());
  const hub = await startHub(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the hub...`);
    hub.dispose().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

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
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
