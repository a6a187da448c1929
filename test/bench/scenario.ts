import { runLoad } from "./loadgen";
import { LoadResult, round } from "./stats";

/** One operation as the load generator sends it: a list of request bodies sent in turn. */
export interface Scenario {
  name: string;
  bodies: string[];
  /** Every request a different body (LoadSpec.distinct). Default false. */
  distinct?: boolean;
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

/**
 * Checks the bodies answer without errors, then loads the URL with them. A distinct load checks 30 bodies
 * from its end, which the load is unlikely to reach (checking all would also answer them in advance).
 */
export async function measure(url: string, headers: Record<string, string>, scenario: Scenario, settings: LoadSettings): Promise<LoadResult> {
  const checked = scenario.distinct ? scenario.bodies.slice(-30) : new Set(scenario.bodies);
  for (const body of checked) await checkedPost(url, headers, body);
  return runLoad({ url, headers, bodies: scenario.bodies, distinct: scenario.distinct, ...settings });
}

export interface Comparison {
  operation: string;
  /** Our gateway as configured by default (response cache on). */
  ours: LoadResult;
  /** Our gateway with the response cache off: every request planned and sent to the subgraphs. */
  oursUncached: LoadResult;
  plain: LoadResult;
  /** ours / plain requests per second (>1: ours is faster). */
  throughputRatio: number;
  /** ours without the response cache / plain requests per second. */
  uncachedRatio: number;
  /** plain p50 / ours p50 (>1: ours answers sooner). */
  p50Ratio: number;
  p99Ratio: number;
}

interface Target {
  url: string;
  headers: Record<string, string>;
}

/**
 * Our gateway (with and without its response cache) and the plain one, side by side on the same
 * subgraphs, one operation at a time. All must return the same data first, so the comparison is of the
 * same work.
 */
export async function compare(ours: Target, oursUncached: Target, plain: Target, scenario: Scenario, settings: LoadSettings): Promise<Comparison> {
  for (const body of new Set(scenario.bodies)) {
    const answers = await Promise.all([ours, oursUncached, plain].map((target) => checkedPost(target.url, target.headers, body)));
    if (new Set(answers.map((answer) => JSON.stringify(answer))).size !== 1) throw new Error(`${scenario.name}: the gateways answer differently`);
  }
  const load = (target: Target) => runLoad({ url: target.url, headers: target.headers, bodies: scenario.bodies, ...settings });
  const oursResult = await load(ours);
  const uncachedResult = await load(oursUncached);
  const plainResult = await load(plain);
  return {
    operation: scenario.name,
    ours: oursResult,
    oursUncached: uncachedResult,
    plain: plainResult,
    throughputRatio: round(oursResult.requestsPerSecond / plainResult.requestsPerSecond),
    uncachedRatio: round(uncachedResult.requestsPerSecond / plainResult.requestsPerSecond),
    p50Ratio: round(plainResult.latency.p50 / oursResult.latency.p50),
    p99Ratio: round(plainResult.latency.p99 / oursResult.latency.p99),
  };
}
