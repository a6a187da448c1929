import type { BenchResults } from "./results";
import { DISTINCT_BODIES, SCALE_SCENARIOS } from "./scale-bench";
import { checkTargets } from "./targets";
import { renderObservability } from "./observability-bench";
import { renderHive } from "./hive-report";
import { table } from "./markdown";


const percent = (scale: number) => `${Number((scale * 100).toFixed(1))}%`;

/** The markdown of docs/BENCHMARKS.md (or the quick run's summary) for one run's results. */
export function renderMarkdown(results: BenchResults, notes: string): string {
  const { machine, settings } = results;
  const parts: string[] = [];
  parts.push(`# Benchmarks${results.quick ? " (quick smoke run)" : ""}`);
  parts.push(
    `Measured ${machine.date} with \`${results.command}\` (${results.seconds} s). Load comes from a second process ` +
      `(autocannon, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up, then ${settings.durationSeconds} s measured) on loopback; ` +
      `latencies are every response's time as the load generator saw it. Raw numbers: \`bench-results/latest.json\`.`,
  );
  parts.push(
    table(
      ["machine", "value"],
      [
        ["CPU", `${machine.cpus} x ${machine.cpuModel}`],
        ["memory", `${machine.memoryGiB} GiB`],
        ["OS", machine.os],
        ["Node", machine.node],
        ["commit", machine.commit],
        ["load average (1 min) at start / end", `${machine.loadAverage.start} / ${machine.loadAverage.end ?? "?"} (other processes share the machine)`],
        ["SQLite", machine.sqlite],
        ["MySQL server", machine.mysql ?? "not reachable"],
        ["packages", Object.entries(machine.packages).map(([name, version]) => `${name} ${version}`).join(", ")],
      ],
    ),
  );

  parts.push("## Targets (issue 5)");
  parts.push(table(["target", "measured", "status"], checkTargets(results).map((check) => [check.target, check.measured, `**${check.status}**`])));

  if (results.fanout) {
    parts.push("## Live alerts: fan-out through one gateway (issues 3 and 15)");
    parts.push(
      "One gateway (in one process with the six subgraphs, SQLite, demo data); the subscribers in a second process, one " +
        "connection each over the row's transport (a graphql-ws socket, an SSE stream or a multipart stream on /graphql), " +
        "all with the same subscription (hydrated from three subgraphs) unless the row says distinct. " +
        "An ormas files reports one at a time; latency is from the incidents subgraph announcing the committed alert to " +
        "receipt, per report for the last subscriber. Targets: p99 < 250 ms at 10,000; p50 < 20 ms with one subscriber; " +
        "< 20 KB of gateway memory per idle subscriber; 1 upstream subscription and 1 hydration per report when shared. " +
        "Each round runs on a fresh hub; memory is the JS heap plus Buffers after full collections. On this 2-core machine " +
        "the 10,000 subscribers share the cores with the gateway, so their own receive work adds to the measured latency; " +
        "full runs of the 10,000 round on the machines this project has used have given p99 from 158 to 268 ms, on either side of the target.",
    );
    parts.push(
      table(
        ["transport", "subscribers", "distinct", "reports", "commit → last receipt p50 / p99 ms", "commit → any receipt p50 / p99 ms", "upstreams opened", "hydrations / report", "KB per idle subscriber", "missed"],
        results.fanout.map((run) => [
          run.transport ?? "graphql-ws",
          run.subscribers,
          run.distinctSubscriptions,
          run.reports,
          `${run.commitToLastReceiptMs.p50} / ${run.commitToLastReceiptMs.p99}`,
          `${run.commitToReceiptMs.p50} / ${run.commitToReceiptMs.p99}`,
          run.upstreamSubscriptionsOpened ?? "-",
          run.hydrationsPerReport ?? "-",
          run.memoryPerIdleSubscriberKB ?? "-",
          run.missedReceipts,
        ]),
      ),
    );
  }

  if (results.evidence) {
    const run = results.evidence;
    parts.push("## Evidence uploads (issue 18)");
    parts.push(
      `A noisy ${(run.imageBytes / 1e6).toFixed(1)} MB JPEG photo with EXIF, sent as multipart/form-data to the gateway's POST /evidence ` +
        `by ${run.concurrency} uploaders at once (${run.uploads} uploads, after one warm-up), streamed to the incidents subgraph, hashed, ` +
        `re-encoded without metadata (${(run.storedBytes / 1e6).toFixed(1)} MB stored) and fsync'd under the data folder (SQLite, one process). ` +
        "Latency is from sending to the answer with the stored file's hash.",
    );
    parts.push(table(["uploads", "at once", "p50 ms", "p99 ms", "max ms", "uploads/s"], [[run.uploads, run.concurrency, run.latencyMs.p50, run.latencyMs.p99, run.latencyMs.max, run.uploadsPerSecond]]));
  }
  if (results.web) {
    parts.push("## The console and Lapor: first load and JavaScript (issue 16)");
    parts.push(
      "Debian's chromium (headless) opens each page on loopback in a fresh browser context, so nothing is cached and no service " +
        "worker runs yet, after one unmeasured load that starts the browser's renderer; the time is from navigation to the page's first form on screen. JavaScript is every script the page " +
        "loads: gzipped at level 9 (the budget's measure) and as the gateway sent it (the build's precompressed twins).",
    );
    parts.push(
      table(
        ["page", "loads", "first form p50 / max ms", "budget ms", "scripts", "JS raw KB", "JS gzipped KB", "JS sent KB", "budget gzipped KB"],
        results.web.map((page) => [
          `${page.page} (\`${page.path}\`)`,
          page.loads,
          `${page.firstLoadMs.p50} / ${page.firstLoadMs.max}`,
          page.budgetMs,
          page.javascript.files,
          page.javascript.rawKB,
          page.javascript.gzipKB,
          `${page.javascript.sentKB} (${page.javascript.contentEncoding})`,
          page.budgetGzipKB,
        ]),
      ),
    );
  }
  if (results.observability) {
    parts.push("## Cost of the request log, metrics and tracing (issue 17)");
    parts.push(renderObservability(results.observability.costs, results.settings, results.observability.rounds, results.observability.perRequestMicros));
  }

  if (results.hive) parts.push(renderHive(results, results.hive));
  if (results.gateway) {
    parts.push("## Gateway query path: ours against a plain @apollo/gateway");
    parts.push(
      `Both gateways run in the benchmark's process, measured one after the other in the same run over the same five subgraphs ` +
        `(${results.gateway.data}), the subgraphs in child processes as \`npm start\` runs them (one per core beyond the gateway's: one on two cores); each operation is first checked to ` +
        "return identical data from both. The plain gateway is " +
        "`@apollo/gateway` + `@apollo/server` `startStandaloneServer` with nothing added but a data source that sends the subgraph " +
        "secret and passes the caller's claims through (it verifies no token, so it does less work per request than ours). " +
        "Ours runs twice: as configured by default, where the load's repeated request is answered from the response cache after " +
        "its first computation (as repeated screens are in use), and with the cache off (`KAWAL_RESPONSE_CACHE_SECONDS=0`), " +
        "where every request is planned and fetched from the subgraphs like the plain gateway's.",
    );
    parts.push(
      table(
        ["operation", "ours req/s", "ours p50 / p99 ms", "ours, cache off, req/s", "ours, cache off, p50 / p99 ms", "plain req/s", "plain p50 / p99 ms", "ratio ours/plain (req/s)", "ratio ours cache off/plain", "non-2xx / errors (ours, cache off, plain)"],
        results.gateway.comparisons.map((c) => [
          c.operation,
          c.ours.requestsPerSecond,
          `${c.ours.latency.p50} / ${c.ours.latency.p99}`,
          c.oursUncached.requestsPerSecond,
          `${c.oursUncached.latency.p50} / ${c.oursUncached.latency.p99}`,
          c.plain.requestsPerSecond,
          `${c.plain.latency.p50} / ${c.plain.latency.p99}`,
          `**${c.throughputRatio}x**`,
          `**${c.uncachedRatio}x**`,
          `${c.ours.non2xx + c.ours.errors}, ${c.oursUncached.non2xx + c.oursUncached.errors}, ${c.plain.non2xx + c.plain.errors}`,
        ]),
      ),
    );
  }

  if (results.scale.length > 0) {
    parts.push("## Nationwide data");
    parts.push(
      "`npm run seed:scale` generates the data set deterministically (seeded PRNG; fictional organizations, people and reports over the " +
        "real 38 provinces and 514 regencies) and loads it with multi-row INSERTs in transactions straight into each subgraph's database, " +
        "after its migrations. Load time includes migrations and the national region list (91,596 regions).",
    );
    parts.push(
      table(
        ["backend", "scale", "organizations", "events", "declarations", "signatures", "incident reports", "all rows", "load s", "rows/s"],
        results.scale.map((run) => [
          run.backend,
          percent(run.scale),
          run.seed.rows.organizations,
          run.seed.rows.events,
          run.seed.rows.declarations,
          run.seed.rows.declaration_signatures,
          run.seed.rows.incident_reports,
          Object.values(run.seed.rows).reduce((a, b) => a + b, 0),
          run.seed.seconds.total,
          run.seed.rowsPerSecond,
        ]),
      ),
    );
    parts.push(
      `Through our gateway with its response cache off, the subgraphs in child processes as \`npm start\` runs them; the lists are measured with their requests repeated and with a different request every time (${DISTINCT_BODIES.toLocaleString("en-US")} bodies, more than a run sends), so that neither the gateway's cache nor the subgraphs' remembered counts and pages can answer. ` +
        `${settings.connections} connections (p50 / p95 / p99 ms, req/s):`,
    );
    const keys = Object.keys(SCALE_SCENARIOS) as Array<keyof typeof SCALE_SCENARIOS>;
    parts.push(
      table(
        ["backend", "scale", ...keys.map((key) => SCALE_SCENARIOS[key])],
        results.scale.map((run) => [
          run.backend,
          percent(run.scale),
          ...keys.map((key) => {
            const result = run.scenarios[key];
            return result ? `${result.latency.p50} / **${result.latency.p95}** / ${result.latency.p99} (${result.requestsPerSecond}/s)` : "-";
          }),
        ]),
      ),
    );
    parts.push("## Entity resolution: `_entities` POSTed to each subgraph");
    parts.push(
      "Distinct ids 1..n (ids beyond a table's size resolve to null), one request at a time, to subgraphs running in the benchmark's " +
        "process (where their SQL statements can be counted); median of the runs, and the most SQL statements any run issued.",
    );
    const sizes = [...new Set(results.scale.flatMap((run) => run.entities.map((entity) => entity.representations)))].sort((a, b) => a - b);
    const rows: Array<Array<string | number>> = [];
    for (const run of results.scale) {
      const types = [...new Set(run.entities.map((entity) => entity.typename))];
      for (const type of types) {
        rows.push([
          `${run.backend} ${percent(run.scale)}`,
          type,
          ...sizes.map((size) => {
            const entity = run.entities.find((e) => e.typename === type && e.representations === size);
            return entity ? `${entity.latencyMs.median} ms, ${entity.statementsPerBatch} stmt (${entity.found} found)` : "-";
          }),
        ]);
      }
    }
    parts.push(table(["data", "type", ...sizes.map((size) => `${size} reps`)], rows));
  }
  if (notes) parts.push(notes);
  parts.push(
    "## Reproduce\n\n```sh\nnpm run bench              # full run: gateway comparison, then 1%, 10% and 100% on SQLite and MySQL\n" +
      "npm run bench -- --quick   # smoke run (< 90 s): short loads, 1% on SQLite only\n" +
      "npm run bench -- --parts scale --backends mysql --scales 0.01,1   # a subset\n" +
      "npm run bench -- --parts hive --docs   # against Hive Gateway only: rewrites just its section here\n" +
      "npm run seed:scale -- --scale 0.1 --backend mysql   # just load a data set (kawal_scale_0_1_* databases) and keep it\n```\n\n" +
      "MySQL runs use the server of `KAWAL_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306`) and create and drop their own `kawal_bench_*` databases.",
  );
  return parts.join("\n\n") + "\n";
}
