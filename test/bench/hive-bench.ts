import "reflect-metadata";
import type { HubConfig } from "../../platform/config";
import { startHub } from "../../launcher/hub";
import { loadDemo } from "../../launcher/demo";
import { dropTestData } from "../support/hub";
import { loadBenchDemo, startBenchHub } from "./bench-hub";
import { benchFanout, fanoutConfig, FanoutRun, fanoutRound } from "./fanout";
import { HiveGateway, startHiveGateway } from "./hive-gateway";
import { BenchCaller, distinctBodies, HIVE_LOADS, HIVE_OPERATIONS, HiveLoadKind, HiveOperation, oneCaller, repeatedBodies, sameRightsCallers } from "./hive-loads";
import { runLoad } from "./loadgen";
import { startPlainGateway } from "./plain-gateway";
import { checkedPost, LoadSettings } from "./scenario";
import { LoadResult, round } from "./stats";

/*
 * Part "hive" of `npm run bench` (issue 19): our gateway (defaults, response cache on), Hive Gateway with
 * the Rust query planner (defaults; and with in-flight merging off), Hive Gateway with its JS planner, and a
 * plain @apollo/gateway, side by side over the same running subgraphs (demo data, SQLite), on three loads
 * of three operations, in alternating rounds; then live-alert fan-out to 1,000 subscribers through ours
 * and through Hive.
 */

/** The gateways compared, in the order of the tables. */
export const CONTENDERS = ["ours", "hive-rust", "hive-rust-no-merge", "hive-js", "plain"] as const;
export type Contender = (typeof CONTENDERS)[number];

export const CONTENDER_NAMES: Record<Contender, string> = {
  ours: "ours (defaults, response cache on)",
  "hive-rust": "Hive + Rust planner (defaults)",
  "hive-rust-no-merge": "Hive + Rust, in-flight merging off",
  "hive-js": "Hive JS planner",
  plain: "plain @apollo/gateway",
};

/** Median over the rounds. */
export interface HiveFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Non-2xx responses, errors and timeouts, over all rounds. */
  failures: number;
}

export interface HiveComparison {
  load: HiveLoadKind;
  operation: HiveOperation;
  rounds: Record<Contender, LoadResult[]>;
  median: Record<Contender, HiveFigures>;
  /** ours / Hive + Rust planner (defaults), median req/s. */
  ratio: number;
  target: number;
  met: boolean;
}

export interface HiveFanout {
  gateway: "ours" | "hive-rust";
  run?: FanoutRun;
  /** Why the round could not run. */
  error?: string;
}

export interface HiveRun {
  versions: Record<string, string>;
  rounds: number;
  callers: number;
  distinctBodies: number;
  comparisons: HiveComparison[];
  fanout: HiveFanout[];
}

export interface HivePartOptions {
  rounds: number;
  /** Subscribers of the fan-out comparison. */
  subscribers: number;
  reports: number;
}

/** Distinct callers of the many-callers load. */
const CALLERS = 200;
/** Bodies of a distinct load; the directory has about 27,000 (448 regions x 60 page sizes). */
const DISTINCT = 20_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2, 1);
}

function figures(loads: LoadResult[]): HiveFigures {
  return {
    requestsPerSecond: median(loads.map((load) => load.requestsPerSecond)),
    p50: median(loads.map((load) => load.latency.p50)),
    p99: median(loads.map((load) => load.latency.p99)),
    failures: loads.reduce((sum, load) => sum + load.non2xx + load.errors + load.timeouts, 0),
  };
}

interface Target {
  url: string;
  /** The plain gateway takes the caller's claims; the others a signed token. */
  auth: keyof BenchCaller;
}

/** One load of one operation, on every gateway in alternating order, after checking they answer the same data. */
async function compareOnLoad(
  targets: Record<Contender, Target>,
  load: HiveLoadKind,
  operation: HiveOperation,
  bodies: string[],
  callers: BenchCaller[],
  settings: LoadSettings,
  rounds: number,
): Promise<HiveComparison> {
  const contenders = [...CONTENDERS];
  // Bodies checked: the repeated one, or a few of a distinct load from the end (which its loads do not reach).
  for (const body of load === "distinct" ? bodies.slice(-3) : bodies) {
    const answers = await Promise.all(contenders.map((name) => checkedPost(targets[name].url, callers[0][targets[name].auth], body)));
    const differing = contenders.filter((_, n) => JSON.stringify(answers[n]) !== JSON.stringify(answers[0]));
    if (differing.length) throw new Error(`${HIVE_LOADS[load].name}, ${operation}: ${differing.join(", ")} answer differently from ours\n${body.slice(0, 300)}`);
  }
  const results = Object.fromEntries(contenders.map((name) => [name, [] as LoadResult[]])) as Record<Contender, LoadResult[]>;
  let started = 0;
  for (let turn = 0; turn < rounds; turn++) {
    for (const name of turn % 2 === 0 ? contenders : [...contenders].reverse()) {
      const { url, auth } = targets[name];
      const many = callers.length > 1;
      results[name].push(
        await runLoad({
          url,
          headers: many ? {} : callers[0][auth],
          ...(many ? { headerSets: callers.map((caller) => caller[auth]) } : {}),
          bodies,
          distinct: load === "distinct",
          // Each load of a distinct operation starts at its own place in the bodies, so none meets the answers of an earlier one.
          firstBody: Math.floor((started++ * bodies.length) / (rounds * contenders.length)),
          ...settings,
        }),
      );
    }
  }
  const median = Object.fromEntries(contenders.map((name) => [name, figures(results[name])])) as Record<Contender, HiveFigures>;
  const ratio = round(median.ours.requestsPerSecond / median["hive-rust"].requestsPerSecond);
  return { load, operation, rounds: results, median, ratio, target: HIVE_LOADS[load].target, met: ratio >= HIVE_LOADS[load].target };
}

async function startHives(config: HubConfig): Promise<Record<"hive-rust" | "hive-rust-no-merge" | "hive-js", HiveGateway>> {
  return {
    "hive-rust": await startHiveGateway(config, { planner: "rust" }),
    "hive-rust-no-merge": await startHiveGateway(config, { planner: "rust", inflightMerging: false }),
    "hive-js": await startHiveGateway(config, { planner: "js" }),
  };
}

/** The three loads over the three operations. */
async function benchHiveLoads(config: HubConfig, settings: LoadSettings, rounds: number, log: (line: string) => void): Promise<HiveComparison[]> {
  const bench = await startBenchHub(config);
  const plain = await startPlainGateway(bench.hub.config);
  const hives = await startHives(bench.hub.config);
  try {
    const eventId = await loadBenchDemo(bench.url, config);
    const targets: Record<Contender, Target> = {
      ours: { url: bench.url, auth: "bearer" },
      "hive-rust": { url: hives["hive-rust"].url, auth: "bearer" },
      "hive-rust-no-merge": { url: hives["hive-rust-no-merge"].url, auth: "bearer" },
      "hive-js": { url: hives["hive-js"].url, auth: "bearer" },
      plain: { url: plain.url, auth: "claims" },
    };
    const secret = bench.hub.config.jwtSecret!;
    const single = [await oneCaller(secret)];
    const many = await sameRightsCallers(secret, CALLERS);
    const repeated = repeatedBodies(eventId);
    const distinct = await distinctBodies(bench.url, DISTINCT);
    const loads: Array<{ kind: HiveLoadKind; callers: BenchCaller[]; bodies: (operation: HiveOperation) => string[] }> = [
      { kind: "repeat", callers: single, bodies: (operation) => [repeated[operation]] },
      { kind: "sameRights", callers: many, bodies: (operation) => [repeated[operation]] },
      { kind: "distinct", callers: single, bodies: (operation) => distinct[operation] },
    ];
    const comparisons: HiveComparison[] = [];
    for (const { kind, callers, bodies } of loads) {
      for (const operation of HIVE_OPERATIONS) {
        const comparison = await compareOnLoad(targets, kind, operation, bodies(operation), callers, settings, rounds);
        const line = CONTENDERS.map((name) => `${name} ${comparison.median[name].requestsPerSecond}/s (p99 ${comparison.median[name].p99} ms)`).join(", ");
        log(`  ${HIVE_LOADS[kind].name}, ${operation}: ${line}: ours/Hive+Rust ${comparison.ratio}x (target ${comparison.target}x: ${comparison.met ? "met" : "missed"})`);
        comparisons.push(comparison);
      }
    }
    return comparisons;
  } finally {
    for (const hive of Object.values(hives)) await hive.dispose();
    await plain.dispose();
    await bench.dispose();
  }
}

/** Live-alert fan-out over graphql-ws through ours and through Hive + Rust planner, each on a fresh hub. */
async function benchHiveFanout(options: HivePartOptions, log: (line: string) => void): Promise<HiveFanout[]> {
  const runs: HiveFanout[] = [];
  for (const gateway of ["ours", "hive-rust"] as const) {
    const config = fanoutConfig();
    const hub = await startHub(config, { port: 0, freePorts: true });
    const hive = gateway === "hive-rust" ? await startHiveGateway(hub.config, { planner: "rust" }) : undefined;
    try {
      await loadDemo(hub.gateway.url, config);
      const round_ = fanoutRound("graphql-ws", options.subscribers, 1, options.reports);
      const run = await benchFanout(hub, round_, hive ? { url: hive.url } : undefined);
      log(`  ${gateway}: ${run.subscribers} subscribers, commit to receipt p50 ${run.commitToReceiptMs.p50} ms, p99 ${run.commitToReceiptMs.p99} ms, ${run.memoryPerIdleSubscriberKB} KB each, ${run.missedReceipts} missed`);
      runs.push({ gateway, run });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  ${gateway}: fan-out failed: ${message}`);
      runs.push({ gateway, error: message });
    } finally {
      await hive?.dispose();
      await hub.dispose();
      await dropTestData(config);
    }
  }
  return runs;
}

/** The whole part: loads, then fan-out. */
export async function benchHive(config: HubConfig, settings: LoadSettings, options: HivePartOptions, versions: Record<string, string>, log: (line: string) => void): Promise<HiveRun> {
  const comparisons = await benchHiveLoads(config, settings, options.rounds, log);
  const fanout = await benchHiveFanout(options, log);
  return { versions, rounds: options.rounds, callers: CALLERS, distinctBodies: DISTINCT, comparisons, fanout };
}
