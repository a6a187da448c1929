import "reflect-metadata";
import fs from "node:fs";
import pino from "pino";
import { SpanExporter, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { startGateway } from "../../gateway/server";
import type { HubConfig } from "../../platform/config";
import { logger, redirectLogs } from "../../platform/logging";
import { injectContext, recordSpan, startTracing, withSpan } from "../../platform/tracing";
import { requestLog } from "../../gateway/plugins/request-log";
import { requestMetrics } from "../../gateway/plugins/request-metrics";
import type { RequestRecord } from "../../gateway/plugins/request-record";
import { loadBenchDemo, startBenchHub } from "./bench-hub";
import { body } from "./loadgen";
import { DIRECTORY, INCIDENTS, MANGGAR } from "./operations";
import { checkedPost, LoadSettings } from "./scenario";
import { runLoad } from "./loadgen";
import type { LoadResult } from "./stats";
import { round } from "./stats";

/** One operation's rounds: requests per second of each variant, round by round. */
export interface ObservabilityCost {
  operation: string;
  /** Request log at info (JSON lines to /dev/null, as production writes them) and metrics on. */
  on: LoadResult[];
  /** The same gateway build with its request log and metrics off. */
  off: LoadResult[];
  /** `on` with tracing on (spans batched to an exporter that drops them), measured after the alternating rounds. */
  tracing: LoadResult[];
  /** mean rps on / mean rps off (1 = no cost). */
  ratio: number;
  /** on / off of each round, to show the noise beside the ratio. */
  roundRatios: number[];
  /** mean rps with tracing / mean rps on. */
  tracingRatio: number;
}

/** Spans are made, batched and handed over, then dropped: the cost of tracing without the network. */
const dropSpans: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};

/** Log lines written as production writes them (asynchronously), to nowhere; opened at once, so ready at exit. */
const devNull = () => pino.destination({ dest: fs.openSync("/dev/null", "w"), sync: false });

const mean = (loads: LoadResult[]) => loads.reduce((sum, load) => sum + load.requestsPerSecond, 0) / loads.length;

/**
 * Part "observability" (issue 17): our gateway with its request log (info) and metrics on against the same
 * gateway with both off, response cache off on both, in alternating rounds (on-off, off-on, ...) so the
 * machine's drift shows in the per-round ratios; then tracing on for a few rounds of the first.
 */
export async function benchObservability(config: HubConfig, settings: LoadSettings, rounds: number, log: (line: string) => void): Promise<ObservabilityCost[]> {
  const bench = await startBenchHub({ ...config, responseCacheSeconds: 0 });
  // Both started the same way beside the hub's own gateway, so only what they observe differs.
  const gatewayConfig = { ...bench.hub.config, responseCacheSeconds: 0 };
  const observed = await startGateway(gatewayConfig, { port: 0, host: "127.0.0.1" });
  const quiet = await startGateway(gatewayConfig, { port: 0, host: "127.0.0.1", observe: { requestLog: false, metrics: false } });
  const restoreLogs = redirectLogs(devNull(), "info");
  try {
    const eventId = await loadBenchDemo(bench.url, config);
    const scenarios = [
      { name: "directory page", body: body(DIRECTORY, { region: "19.06", first: 20 }) },
      { name: "Manggar story (five subgraphs)", body: body(MANGGAR, { id: eventId }) },
      { name: "incident list (AGENCY)", body: body(INCIDENTS, { region: "19.06", first: 20 }) },
    ];
    const load = async (url: string, requestBody: string) => {
      await checkedPost(url, bench.ourHeaders, requestBody);
      return runLoad({ url, headers: bench.ourHeaders, bodies: [requestBody], ...settings });
    };
    const results: ObservabilityCost[] = [];
    for (const scenario of scenarios) {
      const on: LoadResult[] = [];
      const off: LoadResult[] = [];
      for (let round_ = 0; round_ < rounds; round_++) {
        if (round_ % 2 === 0) {
          on.push(await load(observed.url, scenario.body));
          off.push(await load(quiet.url, scenario.body));
        } else {
          off.push(await load(quiet.url, scenario.body));
          on.push(await load(observed.url, scenario.body));
        }
      }
      results.push({ operation: scenario.name, on, off, tracing: [], ratio: round(mean(on) / mean(off), 3), roundRatios: on.map((load, i) => round(load.requestsPerSecond / off[i].requestsPerSecond, 3)), tracingRatio: 0 });
    }
    // Tracing is the process's (one tracer provider), so it is measured after, not beside, the rounds above.
    const stopTracing = startTracing("kawal-bench", new BatchSpanProcessor(dropSpans));
    try {
      for (const [index, scenario] of scenarios.entries()) {
        const result = results[index];
        for (let round_ = 0; round_ < Math.max(1, Math.floor(rounds / 2)); round_++) result.tracing.push(await load(observed.url, scenario.body));
        result.tracingRatio = round(mean(result.tracing) / mean(result.on), 3);
        const rps = (loads: LoadResult[]) => loads.map((each) => each.requestsPerSecond).join(" / ");
        log(`  ${scenario.name}: on ${rps(result.on)} req/s, off ${rps(result.off)} req/s: ratio ${result.ratio} (rounds ${result.roundRatios.join(", ")}); tracing on ${rps(result.tracing)} req/s: ${result.tracingRatio} of on`);
      }
    } finally {
      await stopTracing();
    }
    return results;
  } finally {
    restoreLogs();
    await observed.dispose();
    await quiet.dispose();
    await bench.dispose();
  }
}

/**
 * What the request log (JSON to /dev/null) and the request metrics cost per completed request, and what the
 * tracing hooks cost while tracing is off, in microseconds: measured in this process, without HTTP, so the
 * machine's load-dependent noise of the rounds above does not hide them.
 */
export function perRequestMicros(iterations = 50_000): { logAndMetrics: number; tracingOff: number } {
  const restoreLogs = redirectLogs(devNull(), "info");
  try {
    const listeners = [requestLog(logger("gateway")), requestMetrics()];
    const record: RequestRecord = {
      id: "3f0c8f8e-6a7b-4c1e-9d55-1f1f2b8e9a10",
      transport: "http",
      path: "/graphql",
      started: process.hrtime.bigint(),
      operationName: "Manggar",
      operationType: "query",
      role: "AGENCY",
      callerId: "9a6ceddf3e62fce1",
      status: 200,
      errorCodes: new Set(),
      subgraphErrors: new Set(),
      subgraphs: new Set(["events", "organizations", "elections", "declarations"]),
    };
    const time = (fn: () => void) => {
      for (let i = 0; i < 1000; i++) fn();
      const started = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) fn();
      return round(Number(process.hrtime.bigint() - started) / 1000 / iterations, 3);
    };
    const logAndMetrics = time(() => {
      for (const listener of listeners) listener(record, 0.004);
    });
    // What a request passes through with tracing off: the HTTP span, the fetch header injection, the SQL span.
    const tracingOff = time(() => {
      void withSpan("gateway request", {}, async () => undefined);
      injectContext(() => undefined);
      recordSpan("SQL SELECT", 1, {});
    });
    return { logAndMetrics, tracingOff };
  } finally {
    restoreLogs();
  }
}

/** The markdown section of these results. */
export function renderObservability(results: ObservabilityCost[], settings: LoadSettings, rounds: number, micros: { logAndMetrics: number; tracingOff: number }): string {
  const p50 = (loads: LoadResult[]) => round(loads.reduce((sum, load) => sum + load.latency.p50, 0) / loads.length, 2);
  const rows = results.map(
    (r) =>
      `| ${r.operation} | ${round(mean(r.on), 1)} (p50 ${p50(r.on)} ms) | ${round(mean(r.off), 1)} (p50 ${p50(r.off)} ms) | **${r.ratio}** | ${r.roundRatios.join(", ")} | ${round(mean(r.tracing), 1)} (p50 ${p50(r.tracing)} ms) | ${r.tracingRatio} |`,
  );
  return [
    `Response cache off on both gateways; ${rounds} alternating rounds (on-off, off-on, ...) of ${settings.durationSeconds} s each at ${settings.connections} connections, then ${Math.max(1, Math.floor(rounds / 2))} round(s) with tracing on. "On": request log at info, written as JSON lines to /dev/null as production writes them to stdout, and metrics; "off": the same build with both off. Requests per second, mean of the rounds.`,
    "",
    "| operation | on: req/s | off: req/s | on / off | per round | on + tracing: req/s | tracing / on |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `Per request, measured in process without HTTP (50,000 calls): the request log line and the request metrics ${micros.logAndMetrics} µs; the tracing hooks a request passes while tracing is off ${micros.tracingOff} µs.`,
  ].join("\n");
}
