import { CONTENDER_NAMES, CONTENDERS, HiveComparison, HiveRun } from "./hive-bench";
import { HIVE_LOADS, HiveLoadKind } from "./hive-loads";
import type { BenchResults } from "./results";
import { table } from "./markdown";

export const HIVE_HEADING = "## Against Hive Gateway (issue 19)";

/** What holds back ours on each load, when it misses its target. */
const HOLDS_BACK: Record<HiveLoadKind, string> = {
  repeat:
    "the incident list names each report's reporter, and an answer holding a non-null `reporter` is never kept by our response cache: each " +
    "delivery is audited, so every request is executed and its delivery recorded in the identity service's database (one audit row per " +
    "request, committed in groups) before the answer leaves. Identical subgraph fetches in flight are merged, as Hive merges them, so what " +
    "remains is the audit Hive does not do: the plain @apollo/gateway column, which neither audits nor merges, shows the engine without it.",
  sameRights:
    "the incident list names reporters, so no cache answers it (see above): the officers' identical subgraph fetches in flight are merged (the " +
    "subgraph showed the reporter on rights they share), but each officer's request is executed and its delivery audited. The directory and " +
    "the Manggar story read nothing of the caller, so one cached answer serves every officer.",
  distinct:
    "no cache answers a distinct request and few fetches repeat, so the engines count: the subgraphs' work per request, and the number of " +
    "subgraph requests per plan (ours sends a request's simultaneous reads of one subgraph as one batch; Hive's Rust planner merges " +
    "`_entities` selections for the same subgraph into one operation).",
};

const VERIFIES =
  "What each side does per request: **ours** verifies the bearer token (HS256 signature and `exp` with jose; a verified token is remembered " +
  "for up to 60 s, so a repeated token is not verified again), applies its operation limits (depth, aliases, tokens, directives, cost; " +
  "its rate limit counts mutations only), writes its request log (info) and metrics, audits every delivered `reporter`, and sends each " +
  "subgraph the subgraph secret and the caller's claims. **Hive Gateway** verifies the same bearer token on every request (its JWT plugin, " +
  "`@graphql-yoga/plugin-jwt`: HS256 with the hub's secret, `exp`; a bad token is refused, no token is the public) and sends each subgraph " +
  "the same subgraph secret and claims (`transportEntries` headers from the verified claims; over graphql-ws, `connectionParams`); it " +
  "applies no operation limits, rate limits or audit, and logs nothing (`logging: false`). **Plain @apollo/gateway** verifies no token: " +
  "the load sends it the caller's claims, which it passes on with the secret.";

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
    "Re-run this part alone (about 40 minutes; it rewrites only this section of docs/BENCHMARKS.md):\n\n" +
      "```sh\nNODE_ENV=production npm run bench -- --parts hive --docs           # 10 s loads, 3 alternating rounds, 1,000 subscribers\n" +
      "NODE_ENV=production npm run bench -- --parts hive --quick --docs   # smoke: 3 s loads, 1 round, 200 subscribers\n```",
  );
  parts.push(
    `Measured ${machine.date} with \`${results.command}\` on ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.start} at start ` +
      `(other processes share the machine). Versions: ${Object.entries(run.versions).map(([name, version]) => `${name} ${version}`).join(", ")}. ` +
      `${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s per load, ${run.rounds} round(s) alternating the gateways' order; ` +
      "figures are medians over the rounds." +
      (machine.loadAverage.start > machine.cpus
        ? ` The load average was above the ${machine.cpus} cores: other work shared them, so the absolute figures are low and the ratios noisy.`
        : ""),
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
        "the Manggar story of any demo event with the election's phase asked at a different minute (only the elections fetch differs between requests for the same event).",
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
