import { runLoad } from "./loadgen";
import { LoadResult, round } from "./stats";

/** One operation as the load generator sends it: a list of request bodies sent in turn. */
export interface Scenario {
  name: string;
  bodies: string[];
}

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

/** POSTs one body and returns the parsed response; throws on HTTP or GraphQL errors (a broken benchmark). */
export async function checkedPost(url: string, headers: Record<string, string>, body: string): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const json = (await response.json()) as { data?: unknown; errors?: unknown };
  if (!response.ok || json.errors) throw new Error(`benchmark request failed (${response.status}): ${JSON.stringify(json.errors ?? json).slice(0, 500)}\n${body.slice(0, 300)}`);
  return json.data;
}

/** Checks every body answers without errors, then loads the URL with them. */
export async function measure(url: string, headers: Record<string, string>, scenario: Scenario, settings: LoadSettings): Promise<LoadResult> {
  for (const body of new Set(scenario.bodies)) await checkedPost(url, headers, body);
  return runLoad({ url, headers, bodies: scenario.bodies, ...settings });
}

export interface Comparison {
  operation: string;
  ours: LoadResult;
  plain: LoadResult;
  /** ours / plain requests per second (>1: ours is faster). */
  throughputRatio: number;
  /** plain p50 / ours p50 (>1: ours answers sooner). */
  p50Ratio: number;
  p99Ratio: number;
}

/**
 * Our gateway and the plain one, side by side on the same subgraphs, one operation at a time. Both must
 * return the same data first, so the comparison is of the same work.
 */
export async function compare(
  ours: { url: string; headers: Record<string, string> },
  plain: { url: string; headers: Record<string, string> },
  scenario: Scenario,
  settings: LoadSettings,
): Promise<Comparison> {
  for (const body of new Set(scenario.bodies)) {
    const [a, b] = await Promise.all([checkedPost(ours.url, ours.headers, body), checkedPost(plain.url, plain.headers, body)]);
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${scenario.name}: the two gateways answer differently`);
  }
  const oursResult = await runLoad({ url: ours.url, headers: ours.headers, bodies: scenario.bodies, ...settings });
  const plainResult = await runLoad({ url: plain.url, headers: plain.headers, bodies: scenario.bodies, ...settings });
  return {
    operation: scenario.name,
    ours: oursResult,
    plain: plainResult,
    throughputRatio: round(oursResult.requestsPerSecond / plainResult.requestsPerSecond),
    p50Ratio: round(plainResult.latency.p50 / oursResult.latency.p50),
    p99Ratio: round(plainResult.latency.p99 / oursResult.latency.p99),
  };
}
