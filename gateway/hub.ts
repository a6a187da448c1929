import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { defaultSubgraphPort, HubConfig, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/kit/config";
import { RunningSubgraph, startSubgraph } from "../subgraphs/kit/subgraph";
import { SUBGRAPHS } from "../subgraphs";
import { RunningGateway, startGateway } from "./server";

export interface HubOptions {
  /** Gateway port; 0 picks a free one. Default config.port. */
  port?: number;
  /** true: every subgraph on a free port (tests); false: 4001 to 4005. Default false. */
  freePorts?: boolean;
}

export interface RunningHub {
  config: HubConfig;
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  /** Stops the gateway, then the subgraphs (closing their databases). */
  dispose(): Promise<void>;
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

/**
 * The whole hub in one process: the five subgraphs on 127.0.0.1 (each with its own database), then
 * the gateway in front of them. Subgraphs start in SUBGRAPHS order, so each one's reference checks
 * reach subgraphs already up.
 */
export async function startHub(baseConfig: HubConfig, options: HubOptions = {}): Promise<RunningHub> {
  const config: HubConfig = { ...baseConfig, subgraphUrls: { ...baseConfig.subgraphUrls } };
  const subgraphs = {} as Record<SubgraphName, RunningSubgraph>;
  try {
    for (const name of SUBGRAPH_NAMES) {
      const port = options.freePorts ? 0 : defaultSubgraphPort(name);
      subgraphs[name] = await startSubgraph(SUBGRAPHS[name], config, { port, host: "127.0.0.1" });
      config.subgraphUrls[name] = subgraphs[name].url;
    }
    const gateway = await startGateway(config, { port: options.port });
    return {
      config,
      gateway,
      subgraphs,
      async dispose() {
        await gateway.dispose();
        for (const running of Object.values(subgraphs).reverse()) await running.dispose();
      },
    };
  } catch (error) {
    for (const running of Object.values(subgraphs).reverse()) await running.dispose();
    throw error;
  }
}
