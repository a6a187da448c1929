/** What the load generator is asked to do: POST these bodies to url at a fixed concurrency. */
export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  headers: Record<string, string>;
  /** GraphQL request bodies (JSON text); each connection sends them in turn. */
  bodies: string[];
  /**
   * Every request takes the next body in turn across all connections, so with more bodies than requests no
   * request repeats and nothing remembered of an earlier one can answer it. Default false.
   */
  distinct?: boolean;
  /** Where a distinct load starts in `bodies`, so loads of the same bodies can each start elsewhere. Default 0. */
  firstBody?: number;
  /**
   * Headers added to each request in turn across all connections (many callers: one token each), beside
   * `headers`. A load with them takes its bodies in turn the same way. Default: `headers` only.
   */
  headerSets?: Array<Record<string, string>>;
}

/** Latency in milliseconds. */
export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  latency: Latency;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function latencyOf(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(mean),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export function summarize(latencies: readonly number[], durationSeconds: number): Pick<LoadResult, "requests" | "requestsPerSecond" | "latency"> {
  return {
    requests: latencies.length,
    requestsPerSecond: round(latencies.length / (durationSeconds || 1), 1),
    latency: latencyOf(latencies),
  };
}
