import type { Fetcher } from "@apollo/utils.fetcher";
import { logger } from "../../platform/logging";
import { counter, DURATION_BUCKETS, histogram } from "../../platform/metrics";

/**
 * A fetcher that counts and times each request to subgraph `name`
 * (kawal_gateway_subgraph_fetches_total{subgraph,outcome}, kawal_gateway_subgraph_fetch_duration_seconds{subgraph})
 * and logs those that fail: outcome ok, http_error (the subgraph answered 4xx/5xx) or unreachable.
 */
export function observeFetches(fetcher: Fetcher, name: string): Fetcher {
  const log = logger("gateway");
  const fetches = counter({ name: "kawal_gateway_subgraph_fetches_total", help: "Requests from the gateway to a subgraph, by outcome", labelNames: ["subgraph", "outcome"] });
  const duration = histogram({ name: "kawal_gateway_subgraph_fetch_duration_seconds", help: "Time a subgraph took to answer the gateway", labelNames: ["subgraph"], buckets: DURATION_BUCKETS });
  return async (url, init) => {
    const started = process.hrtime.bigint();
    try {
      const response = await fetcher(url, init);
      const outcome = response.status >= 400 ? "http_error" : "ok";
      fetches.inc({ subgraph: name, outcome });
      if (outcome !== "ok") log.warn({ subgraph: name, status: response.status }, "subgraph answered with an HTTP error");
      return response;
    } catch (error) {
      fetches.inc({ subgraph: name, outcome: "unreachable" });
      log.warn({ subgraph: name, reason: error instanceof Error ? error.message : String(error) }, "subgraph fetch failed");
      throw error;
    } finally {
      duration.observe({ subgraph: name }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
