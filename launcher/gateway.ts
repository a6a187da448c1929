import "reflect-metadata";
import { ConfigError, loadConfig } from "../platform/config";
import { startGateway } from "../gateway/server";
import { startTracing } from "../platform/tracing";

/** The gateway alone (docker-compose): subgraphs at <NAME>_URL, secrets from the environment. */
async function main(): Promise<void> {
  const config = loadConfig();
  const stopTracing = startTracing("kawal-gateway");
  const gateway = await startGateway(config);
  const stop = () =>
    void gateway
      .dispose()
      .then(stopTracing)
      .then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`gateway listening at ${gateway.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
