import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { testConfig, dropTestData } from "../support/hub";
import { benchEvidence } from "./evidence-bench";
import { benchFanouts } from "./fanout";
import { benchGateways } from "./gateway-bench";
import { benchHive } from "./hive-bench";
import { benchObservability, perRequestMicros } from "./observability-bench";
import { describeMachine, packageVersions } from "./machine";
import { renderHive, spliceHive } from "./hive-report";
import { renderMarkdown } from "./report";
import type { BenchResults } from "./results";
import { benchScale } from "./scale-bench";
import type { LoadSettings } from "./scenario";
import { Backend, scaleConfig } from "./seed-scale";
import { round } from "./stats";
import { benchWebBudgets } from "./web-budget";

/*
 * `npm run bench [-- options]`: the benchmarks of issue 5, in this order: the gateway comparison on the
 * demo data, the comparison with Hive Gateway (issue 19), the cost of the request log, metrics and tracing
 * (issue 17), live-alert fan-out, then the
 * nationwide data set at each scale on each backend. Writes bench-results/latest.json
 * and, for a full run, docs/BENCHMARKS.md.
 *
 *   --quick                 smoke mode for CI: 3 s loads, 1% on SQLite only (< 90 s)
 *   --parts gateway,hive,fanout,evidence,web,scale,observability   which parts to run (default all)
 *   --fanout-subscribers 1000      only the fan-out rounds of that size (at 1,000: graphql-ws, SSE, multipart)
 *   --rounds 4              observability: alternating rounds per operation (default 4; 2 with --quick)
 *   --hive-rounds 3         hive: alternating rounds per load and operation (default 3; 1 with --quick)
 *   --backends sqlite,mysql --scales 0.01,0.1,1
 *   --connections 16 --duration 10 --warmup 2
 *   --docs                  write docs/BENCHMARKS.md even for a partial or quick run (--parts hive: only its section)
 *   --report-only           re-render the markdown from bench-results/latest.json (after editing NOTES.md;
 *                           with --parts hive --docs, only the Hive section of docs/BENCHMARKS.md)
 */

const ROOT = path.join(__dirname, "..", "..", "..");
const MYSQL_URL = process.env.KAWAL_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";

interface Options {
  quick: boolean;
  parts: string[];
  backends: Backend[];
  scales: number[];
  settings: LoadSettings;
  docs: boolean;
  partial: boolean;
  /** Only the fan-out rounds with this many subscribers. Default: every round. */
  fanoutSubscribers?: number;
  rounds: number;
  hiveRounds: number;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const quick = argv.includes("--quick");
  const list = (name: string, fallback: string) => (value(name) ?? fallback).split(",").map((item) => item.trim()).filter(Boolean);
  const backends = list("backends", quick ? "sqlite" : "sqlite,mysql");
  for (const backend of backends) if (backend !== "sqlite" && backend !== "mysql") throw new Error(`--backends: ${backend} is not sqlite or mysql`);
  const scales = list("scales", quick ? "0.01" : "0.01,0.1,1").map(Number);
  for (const scale of scales) if (!(scale > 0 && scale <= 1)) throw new Error(`--scales: ${scale} must be above 0 and at most 1`);
  const number = (name: string, fallback: number) => {
    const parsed = Number(value(name) ?? fallback);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name}: must be a positive number`);
    return parsed;
  };
  return {
    quick,
    parts: list("parts", "gateway,hive,fanout,evidence,web,scale,observability"),
    rounds: number("rounds", quick ? 2 : 4),
    hiveRounds: number("hive-rounds", quick ? 1 : 3),
    backends: backends as Backend[],
    scales,
    settings: { connections: number("connections", 16), durationSeconds: number("duration", quick ? 3 : 10), warmupSeconds: number("warmup", quick ? 1 : 2) },
    docs: argv.includes("--docs"),
    partial: ["--parts", "--hive-rounds", "--backends", "--scales", "--duration", "--connections", "--fanout-subscribers"].some((flag) => argv.includes(flag)),
    fanoutSubscribers: value("fanout-subscribers") === undefined ? undefined : number("fanout-subscribers", 0),
  };
}

const onlyHive = (options: Options) => options.parts.length === 1 && options.parts[0] === "hive";

/**
 * Writes the markdown of a run: docs/BENCHMARKS.md for a full run, bench-results/latest.md otherwise. A run
 * of the Hive part alone replaces only its section of docs/BENCHMARKS.md.
 */
function writeMarkdown(results: BenchResults, toDocs: boolean, onlyHive = false): string {
  const notesFile = path.join(ROOT, "test", "bench", "NOTES.md");
  const notes = fs.existsSync(notesFile) && !results.quick ? fs.readFileSync(notesFile, "utf8").trim() : "";
  const target = toDocs ? path.join(ROOT, "docs", "BENCHMARKS.md") : path.join(ROOT, "bench-results", "latest.md");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const markdown =
    toDocs && onlyHive && results.hive && fs.existsSync(target)
      ? spliceHive(fs.readFileSync(target, "utf8"), renderHive(results, results.hive))
      : renderMarkdown(results, notes);
  fs.writeFileSync(target, markdown);
  return path.relative(ROOT, target);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--report-only")) {
    const results = JSON.parse(fs.readFileSync(path.join(ROOT, "bench-results", "latest.json"), "utf8")) as BenchResults;
    results.machine.packages = { ...results.machine.packages, ...packageVersions() }; // same node_modules as the run
    console.log(`wrote ${writeMarkdown(results, !results.quick || argv.includes("--docs"), onlyHive(parseOptions(argv)))}`);
    return;
  }
  const options = parseOptions(argv);
  const started = performance.now();
  const log = (line: string) => console.log(line);
  const results: BenchResults = {
    command: `${process.env.NODE_ENV ? `NODE_ENV=${process.env.NODE_ENV} ` : ""}npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
    quick: options.quick,
    machine: await describeMachine(MYSQL_URL),
    settings: options.settings,
    scale: [],
    seconds: 0,
  };
  if (options.backends.includes("mysql") && !results.machine.mysql) throw new Error(`MySQL at ${MYSQL_URL} is not reachable: run with --backends sqlite`);

  if (options.parts.includes("gateway")) {
    log("gateway comparison (demo data, SQLite)");
    const config = testConfig("sqlite");
    try {
      results.gateway = { data: "the Belitung Timur demo on SQLite", comparisons: await benchGateways(config, options.settings, log) };
    } finally {
      await dropTestData(config);
    }
  }
  if (options.parts.includes("hive")) {
    log("against Hive Gateway (demo data, SQLite)");
    const config = testConfig("sqlite");
    const versions = Object.fromEntries(Object.entries(results.machine.packages).filter(([name]) => name.startsWith("@graphql-hive/") || name === "@apollo/gateway"));
    const fanout = { subscribers: options.fanoutSubscribers ?? (options.quick ? 200 : 1000), reports: options.quick ? 10 : 30 };
    try {
      results.hive = await benchHive(config, options.settings, { rounds: options.hiveRounds, ...fanout }, versions, log);
    } finally {
      await dropTestData(config);
    }
  }
  if (options.parts.includes("observability")) {
    log("cost of the request log, metrics and tracing (demo data, SQLite)");
    const config = testConfig("sqlite");
    try {
      const costs = await benchObservability(config, options.settings, options.rounds, log);
      results.observability = { rounds: options.rounds, costs, perRequestMicros: perRequestMicros() };
      log(`  per request, in process: log and metrics ${results.observability.perRequestMicros.logAndMetrics} µs, tracing hooks while off ${results.observability.perRequestMicros.tracingOff} µs`);
    } finally {
      await dropTestData(config);
    }
  }
  if (options.parts.includes("fanout")) {
    log("live-alert fan-out (demo data, SQLite)");
    results.fanout = await benchFanouts(options.quick, log, options.fanoutSubscribers);
  }
  if (options.parts.includes("evidence")) {
    log("evidence uploads (5 MB photos, SQLite, data folder)");
    results.evidence = await benchEvidence(options.quick, log);
  }
  if (options.parts.includes("web")) {
    log("the console's and Lapor's first load and JavaScript weight (chromium, loopback)");
    results.web = await benchWebBudgets(options.quick, log);
  }
  if (options.parts.includes("scale")) {
    for (const backend of options.backends) {
      for (const scale of options.scales) {
        log(`nationwide data: ${scale * 100}% on ${backend}`);
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kawal-bench-"));
        const config = scaleConfig(backend, dataDir, MYSQL_URL, `kawal_bench_${String(scale).replace(".", "_")}`);
        try {
          results.scale.push(
            await benchScale(config, scale, { settings: options.settings, pages: options.quick ? 10 : 40, entitySizes: [1, 10, 100, 1000], entityRuns: options.quick ? 5 : 21, keep: false }, log),
          );
        } finally {
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      }
    }
  }
  results.seconds = round((performance.now() - started) / 1000, 1);
  results.machine.loadAverage.end = round(os.loadavg()[0]);

  const outDir = path.join(ROOT, "bench-results");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
  const target = writeMarkdown(results, options.docs || (!options.quick && !options.partial), onlyHive(options));
  log(`wrote bench-results/latest.json and ${target} in ${results.seconds} s`);
}

main().then(
  () => process.exit(0), // pooled sockets and timers of the servers must not keep the process alive
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
