import "reflect-metadata";
import { ConfigError, loadConfig } from "../platform/config";
import { startGateway } from "../gateway/server";

/** The gateway alone (docker-compose): subgraphs at <NAME>_URL, secrets from the environment. */
async function main(): Promise<void> {
  const gateway = await startGateway(loadConfig());
  const stop = () => void gateway.dispose().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`gateway listening at ${gateway.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
