import { CONTENDER_NAMES, CONTENDERS, HiveComparison, HiveRun } from "./hive-bench";
import { HIVE_LOADS, HiveLoadKind } from "./hive-loads";
import type { BenchResults } from "./results";
import { table } from "./markdown";

export const HIVE_HEADING = "## Against Hive Gateway (issue 19)";

/** What holds back ours on each load, when it misses its target (the issue's analysis, still true of ours). */
const HOLDS_BACK: Record<HiveLoadKind, string> = {
  repeat: "ours answers a repeated request from its response cache; a miss here means the cache did not answer (check the cache settings).",
  sameRights:
    "our response cache is keyed by the token holder, so 200 officers with the same rights never share an answer, and ours does not merge identical subgraph fetches in flight; Hive merges none either here (the claims travel in the headers it keys on), so both compute every request and only the engines and the number of subgraph requests per plan differ.",
  distinct:
    "no cache or merge answers a distinct request: the engines alone count, and ours (like @apollo/gateway) sends more subgraph requests per plan (8 for the Manggar story, 5 of them to organizations) than Hive's Rust planner, which batches `_entities` selections for the same subgraph.",
};

const VERIFIES =
  "What each side does per request: **ours** verifies the bearer token (HS256 signature and `exp` with jose; a verified token is remembered " +
  "for up to 60 s, so repeated tokens are not re-verified), applies its operation limits (depth, aliases, tokens, cost) and per-caller rate " +
  "limits, writes its request log and metrics, audits every delivered `reporter`, and sends each subgraph the subgraph secret and the " +
  "caller's claims. **Hive Gateway** verifies the same bearer token on every request (its JWT plugin, `@graphql-yoga/plugin-jwt`: HS256 " +
  "with the hub's secret, `exp`; a bad token is refused, no token is the public) and sends each subgraph the same subgraph secret and claims " +
  "(`propagateHeaders`; over graphql-ws in `connectionParams`); it applies no operation limits, rate limits or audit, and logs nothing " +
  "(`logging: false`). **Plain @apollo/gateway** verifies no token: the load sends it the caller's claims, which it passes on with the secret.";

const cell = (c: HiveComparison, name: (typeof CONTENDERS)[number]) => {
  const m = c.median[name];
  return `${m.requestsPerSecond} (${m.p50} / ${m.p99})${m.failures ? `, ${m.failures} failed` : ""}`;
};

function loadTable(comparisons: HiveComparison[]): string {
  return table(
    ["operation", ...CONTENDERS.map((name) => `${CONTENDER_NAMES[name]}: req/s (p50 / p99 ms)`), "ours / Hive + Rust", "target", "status"],
    comparisons.map((c) => [c.operation, ...CONTENDERS.map((name) => cell(c, name)), `**${c.ratio}x**`, `>= ${c.target}x`, `**${c.met ? "met" : "missed"}**`]),
  );
}

function fanoutTable(run: HiveRun): string {
  return table(
    ["gateway", "subscribers", "reports", "commit → receipt p50 / p99 ms", "commit → last receipt p50 / p99 ms", "KB per idle subscriber", "upstream subscriptions", "missed"],
    run.fanout.map(({ gateway, run: fanout, error }) =>
      fanout
        ? [
            gateway === "ours" ? CONTENDER_NAMES.ours : CONTENDER_NAMES["hive-rust"],
            fanout.subscribers,
            fanout.reports,
            `${fanout.commitToReceiptMs.p50} / ${fanout.commitToReceiptMs.p99}`,
            `${fanout.commitToLastReceiptMs.p50} / ${fanout.commitToLastReceiptMs.p99}`,
            fanout.memoryPerIdleSubscriberKB ?? "-",
            fanout.upstreamSubscriptionsOpened ?? "not counted",
            fanout.missedReceipts,
          ]
        : [gateway, "-", "-", `failed: ${error}`, "-", "-", "-", "-"],
    ),
  );
}

/** The "Against Hive Gateway" section of docs/BENCHMARKS.md. */
export function renderHive(results: BenchResults, run: HiveRun): string {
  const { settings, machine } = results;
  const parts = [HIVE_HEADING];
  parts.push(
    "Re-run this part alone (about 30 minutes; writes this section into docs/BENCHMARKS.md and leaves the rest):\n\n" +
      "```sh\nnpm run bench -- --parts hive --docs            # 10 s loads, 3 alternating rounds, 1,000 subscribers\n" +
      "npm run bench -- --parts hive --quick --docs    # smoke: 3 s loads, 1 round, 200 subscribers\n```",
  );
  parts.push(
    `Measured ${machine.date} with \`${results.command}\` on ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.start} at start ` +
      `(other processes share the machine). Versions: ${Object.entries(run.versions).map(([name, version]) => `${name} ${version}`).join(", ")}. ` +
      `${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s per load, ${run.rounds} round(s) alternating the gateways' order; ` +
      "figures are medians over the rounds.",
  );
  parts.push(
    "All run over the same five subgraphs in child processes (demo data, SQLite, as `npm start` runs them), the gateways in the benchmark's " +
      "process, measured one at a time; each operation is first checked to return identical `data` from every gateway. Hive Gateway is " +
      "`@graphql-hive/gateway`'s runtime (`createGatewayRuntime`) served by node:http, with the supergraph our composition commits " +
      "(`schema/supergraph.graphql`), in three forms: the Rust query planner (`@graphql-hive/router-runtime`'s `unifiedGraphHandler`) with its " +
      "defaults (identical subgraph requests in flight at once are merged: same URL, body and headers), the same with that merging off " +
      "(`deduplicateInflightRequests: false`), and its JS planner. Ours runs with its defaults (response cache on, 5 s).",
  );
  parts.push(VERIFIES);
  for (const kind of Object.keys(HIVE_LOADS) as HiveLoadKind[]) {
    const comparisons = run.comparisons.filter((c) => c.load === kind);
    if (comparisons.length === 0) continue;
    const about: Record<HiveLoadKind, string> = {
      repeat: "One national AGENCY officer's token, the same request on every connection.",
      sameRights: `${run.callers} national AGENCY officers of one organization (distinct \`sub\`, the same role, organization, regions and scopes), each request the next officer's token, the same request.`,
      distinct:
        `One officer; every request different (${run.distinctBodies.toLocaleString("en-US")} bodies, each load starting elsewhere in them): the directory and incident list of any of the demo province's 448 regions with a different page size (and category), ` +
        "the Manggar story of any demo event with the election's phase asked at a different minute. The story's events and organizations fetches still repeat between requests of the same event, so Hive may merge some of them.",
    };
    parts.push(`### ${HIVE_LOADS[kind].name[0].toUpperCase()}${HIVE_LOADS[kind].name.slice(1)} (target: ours >= ${HIVE_LOADS[kind].target}x Hive + Rust planner)`);
    parts.push(about[kind]);
    parts.push(loadTable(comparisons));
    if (comparisons.some((c) => !c.met)) parts.push(`What holds back the misses: ${HOLDS_BACK[kind]}`);
  }
  parts.push("### Live alerts: identical subscribers through ours and through Hive Gateway");
  parts.push(
    "The same subscription (an alert with its report, reporter, candidate pair and event) on every graphql-ws socket, one AGENCY token, on a " +
      "fresh hub each; an ormas files reports; commit is the incidents subgraph publishing the committed alert. Hive subscribes to our " +
      "incidents subgraph over graphql-ws (its `transportEntries` `subscriptions: { kind: \"ws\" }`, the subgraph secret and claims in " +
      "`connectionParams`); it keeps no count of its upstream subscriptions. Memory is this process's JS heap and Buffers after full collections.",
  );
  parts.push(fanoutTable(run));
  return parts.join("\n\n");
}

/** `markdown` with its Hive section replaced by `section`, or `section` added before the gateway comparison (or at the end). */
export function spliceHive(markdown: string, section: string): string {
  const start = markdown.indexOf(HIVE_HEADING);
  if (start >= 0) {
    const next = markdown.indexOf("\n## ", start + HIVE_HEADING.length);
    return markdown.slice(0, start) + section + (next >= 0 ? "\n" + markdown.slice(next) : "\n");
  }
  const before = markdown.indexOf("\n## Gateway query path");
  return before >= 0 ? `${markdown.slice(0, before)}\n${section}\n${markdown.slice(before)}` : `${markdown.trimEnd()}\n\n${section}\n`;
}
