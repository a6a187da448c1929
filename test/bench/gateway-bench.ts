import "reflect-metadata";
import { startGateway } from "../../gateway/server";
import type { HubConfig } from "../../platform/config";
import { loadBenchDemo, startBenchHub } from "./bench-hub";
import { body } from "./loadgen";
import { DIRECTORY, INCIDENTS, MANGGAR } from "./operations";
import { startPlainGateway } from "./plain-gateway";
import { Comparison, compare, LoadSettings, Scenario } from "./scenario";

/**
 * Part 1: our gateway against a plain @apollo/gateway, side by side over the same five running subgraphs
 * with the Belitung Timur demo loaded, for the three operations of the issue.
 */
export async function benchGateways(config: HubConfig, settings: LoadSettings, log: (line: string) => void): Promise<Comparison[]> {
  const bench = await startBenchHub(config);
  const plain = await startPlainGateway(bench.hub.config);
  // The same gateway with its response cache off, to show what the rest of its work costs on its own.
  const uncached = await startGateway({ ...bench.hub.config, responseCacheSeconds: 0 }, { port: 0, host: "127.0.0.1" });
  try {
    const eventId = await loadBenchDemo(bench.url, config);
    const scenarios: Scenario[] = [
      { name: "directory page (organizations in a regency, with region)", bodies: [body(DIRECTORY, { region: "19.06", first: 20 })] },
      { name: "Manggar story (five subgraphs)", bodies: [body(MANGGAR, { id: eventId })] },
      { name: "incident list with reporter, candidate pair, event (AGENCY)", bodies: [body(INCIDENTS, { region: "19.06", first: 20 })] },
    ];
    const results: Comparison[] = [];
    for (const scenario of scenarios) {
      const result = await compare(
        { url: bench.url, headers: bench.ourHeaders },
        { url: uncached.url, headers: bench.ourHeaders },
        { url: plain.url, headers: bench.plainHeaders },
        scenario,
        settings,
      );
      const line = (label: string, load: typeof result.ours) => `${label} ${load.requestsPerSecond} req/s (p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms)`;
      log(`  ${scenario.name}: ${line("ours", result.ours)}, ${line("ours without cache", result.oursUncached)}, ${line("plain", result.plain)}: ratios ${result.throughputRatio} and ${result.uncachedRatio}`);
      results.push(result);
    }
    return results;
  } finally {
    await uncached.dispose();
    await plain.dispose();
    await bench.dispose();
  }
}
