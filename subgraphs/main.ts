import "reflect-metadata";
import { ConfigError, defaultSubgraphPort, loadConfig, SUBGRAPH_NAMES, SubgraphName } from "./kit/config";
import { startSubgraph } from "./kit/subgraph";
import { SUBGRAPHS } from ".";

/** One subgraph alone (docker-compose): `node dist/subgraphs/main.js <name>`, or SUBGRAPH=<name>. */
async function main(): Promise<void> {
  const name = (process.argv[2] ?? process.env.SUBGRAPH) as SubgraphName;
  if (!SUBGRAPH_NAMES.includes(name)) throw new ConfigError("SUBGRAPH", `must be one of ${SUBGRAPH_NAMES.join(", ")}`, String(name));
  const config = loadConfig();
  const port = process.env.PORT ? config.port : defaultSubgraphPort(name);
  const running = await startSubgraph(SUBGRAPHS[name], config, { port, host: config.host });
  const stop = () => void running.dispose().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`${name} subgraph listening at ${running.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
