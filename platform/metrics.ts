import type { IncomingMessage, ServerResponse } from "node:http";
import crypto from "node:crypto";
import { collectDefaultMetrics, Counter, CounterConfiguration, Gauge, GaugeConfiguration, Histogram, HistogramConfiguration, register } from "prom-client";

/*
 * The process's Prometheus metrics, in prom-client's default registry: one per process, so a gateway and the
 * subgraphs sharing its process (the embedded default, tests) answer one /metrics. Metrics are declared where
 * they are counted; declaring one twice (a second gateway in a test) returns the first.
 */

let defaultsCollected = false;

/** Node's process metrics (event-loop lag, heap, GC, CPU), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics();
}

export function counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return (register.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);
}

export function gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return (register.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge(config);
}

export function histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return (register.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram(config);
}

/** Request durations from 5 ms to 10 s. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** SQL statement durations from 0.5 ms to 5 s. */
export const SQL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/**
 * A bounded label: `value` while fewer than `limit` distinct values were seen (or it was seen before), else
 * `overflow`; missing is `missing`. A client choosing operation names cannot grow the series without bound.
 */
export function boundedLabel(limit: number, missing = "(anonymous)", overflow = "(other)"): (value: string | undefined | null) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!value) return missing;
    if (seen.has(value)) return value;
    if (seen.size >= limit || value.length > 100) return overflow;
    seen.add(value);
    return value;
  };
}

/**
 * GET /metrics in Prometheus text format. With `token` (METRICS_TOKEN), only requests carrying
 * `Authorization: Bearer <token>` are answered; others get 401.
 */
export function metricsRoute(token?: string) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? "");
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
        res.writeHead(401, { "www-authenticate": "Bearer", "content-type": "text/plain" });
        res.end("metrics: a bearer token (METRICS_TOKEN) is required\n");
        return;
      }
    }
    const text = await register.metrics();
    res.writeHead(200, { "content-type": register.contentType });
    res.end(text);
  };
}
