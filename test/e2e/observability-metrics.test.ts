import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { RunningGateway, startGateway } from "../../gateway/server";
import { boundedLabel } from "../../platform/metrics";
import { AlertCollector, alertClient } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, ormasOf, startTestHub, TestHub } from "../support/hub";
import { until } from "../support/report-writers";
import { hoaxReport } from "../support/reports";

const ORGS = `query Orgs { organizations(first: 1) { edges { node { id } } } }`;
const FILE = `mutation File($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

/** The value of a series in Prometheus text, the labels given matching; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

describe("/metrics after a known sequence of requests", () => {
  const token = crypto.randomBytes(16).toString("hex");
  let hub: TestHub;
  let ids: DemoIds;
  let limited: RunningGateway;
  let metricsUrl: string;
  let before_: string;
  let text: string;
  /** How much a series grew during the sequence. */
  const grew = (name: string, labels: Record<string, string> = {}) => sample(text, name, labels) - sample(before_, name, labels);
  const scrape = async () => (await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } })).text();

  before(async () => {
    hub = await startTestHub("sqlite", { METRICS_TOKEN: token, KAWAL_RATE_LIMIT_MUTATIONS: "0" });
    ids = await loadDemoStory(hub);
    // A second gateway allowing one mutation a minute, for the rate limit.
    limited = await startGateway({ ...hub.hub.config, rateLimitMutations: 1 }, { port: 0, host: "127.0.0.1" });
    metricsUrl = hub.url.replace(/\/graphql$/, "/metrics");
    const screen = new AlertCollector(alertClient(hub.url, await hub.token(agencyOf(ids.org.bawaslu))));
    await until(() => hub.hub.gateway.subscriptions.stats().upstreams === 1);
    before_ = await scrape();
    // The same query twice (a miss, then a hit of the response cache), an anonymous one, a forged token, a
    // report that raises an alert on a Bawaslu screen, and two public mutations on the limited gateway (the
    // first refused by the incidents subgraph, the second by the rate limit).
    await hub.query(ORGS);
    await hub.query(ORGS);
    await hub.query(`{ organizations(first: 1) { totalCount } }`);
    await fetch(hub.url, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer not.a.token" }, body: JSON.stringify({ query: ORGS }) });
    await hub.query(FILE, { input: hoaxReport("Amplop di Gantung") }, ormasOf(ids.org.pemuda));
    await screen.count(1);
    for (let i = 0; i < 2; i++) {
      await fetch(limited.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: FILE, variables: { input: hoaxReport("x") } }) });
    }
    text = await scrape();
    screen.unsubscribe();
  });
  after(async () => {
    await limited.dispose();
    await hub.dispose();
  });

  test("without the METRICS_TOKEN bearer, /metrics answers 401", async () => {
    assert.equal((await fetch(metricsUrl)).status, 401);
    assert.equal((await fetch(metricsUrl, { headers: { authorization: "Bearer wrong" } })).status, 401);
  });

  test("gateway requests are counted by operation, type and outcome, and timed", () => {
    assert.equal(grew("kawal_gateway_requests_total", { operation: "Orgs", type: "query", outcome: "ok" }), 2);
    assert.equal(grew("kawal_gateway_requests_total", { operation: "(anonymous)", type: "query", outcome: "ok" }), 1);
    assert.equal(grew("kawal_gateway_requests_total", { operation: "File", type: "mutation", outcome: "ok" }), 1);
    assert.equal(grew("kawal_gateway_requests_total", { operation: "File", type: "mutation", outcome: "error" }), 1);
    assert.equal(grew("kawal_gateway_requests_total", { operation: "File", type: "mutation", outcome: "refused" }), 1);
    assert.equal(grew("kawal_gateway_request_duration_seconds_count", { operation: "Orgs", type: "query" }), 2);
  });

  test("the response cache's hits and misses, the refused token and the rate-limited mutation are counted", () => {
    assert.equal(grew("kawal_gateway_response_cache_lookups_total", { result: "miss" }), 2);
    assert.equal(grew("kawal_gateway_response_cache_lookups_total", { result: "hit" }), 1);
    assert.equal(grew("kawal_gateway_refusals_total", { kind: "token", reason: "invalid" }), 1);
    assert.equal(grew("kawal_gateway_refusals_total", { kind: "rate_limit" }), 1);
  });

  test("subgraph fetches, SQL statements and resolver errors are counted per subgraph", () => {
    assert.equal(grew("kawal_gateway_subgraph_fetches_total", { subgraph: "organizations", outcome: "ok" }) >= 2, true);
    assert.equal(grew("kawal_gateway_subgraph_fetches_total", { subgraph: "incidents", outcome: "ok" }) >= 2, true);
    assert.ok(grew("kawal_gateway_subgraph_fetch_duration_seconds_count", { subgraph: "organizations" }) >= 2);
    assert.ok(grew("kawal_subgraph_sql_statements_total", { subgraph: "organizations", verb: "SELECT", outcome: "ok" }) >= 2);
    assert.ok(grew("kawal_subgraph_sql_statements_total", { subgraph: "incidents", verb: "INSERT", outcome: "ok" }) >= 2, "the report and its alert");
    assert.ok(grew("kawal_subgraph_sql_duration_seconds_count", { subgraph: "organizations", verb: "SELECT" }) >= 2);
    // The public may not report: the incidents subgraph refused the mutation the rate limit let through.
    assert.equal(grew("kawal_subgraph_resolver_errors_total", { subgraph: "incidents" }), 1);
  });

  test("the alert is committed once, hydrated once and delivered with its lag measured; the screen's socket is open", () => {
    assert.equal(grew("kawal_subgraph_alerts_committed_total"), 1);
    assert.equal(grew("kawal_gateway_hydrations_total"), 1);
    assert.equal(grew("kawal_gateway_alert_delivery_lag_seconds_count"), 1);
    assert.ok(sample(text, "kawal_gateway_alert_delivery_lag_seconds_sum") < 60, "lag in seconds, not milliseconds");
    assert.equal(sample(text, "kawal_gateway_open_sockets"), 1);
    assert.equal(sample(text, "kawal_gateway_active_subscriptions"), 1);
    assert.equal(sample(text, "kawal_gateway_shared_upstreams"), 1);
    assert.equal(sample(text, "kawal_subgraph_pubsub_live"), 1);
    assert.equal(sample(text, "kawal_subgraph_alert_streams_polling"), 0);
  });

  test("the process's own metrics are there", () => {
    assert.ok(sample(text, "nodejs_eventloop_lag_seconds") >= 0);
    assert.ok(sample(text, "process_resident_memory_bytes") > 0);
    assert.match(text, /^nodejs_gc_duration_seconds_count/m);
  });

  test("every hub series the Grafana dashboard plots is one the hub exposes", () => {
    const dashboard = fs.readFileSync(path.join(__dirname, "..", "..", "..", "ops", "grafana", "kawal-damai.json"), "utf8");
    const plotted = new Set([...dashboard.matchAll(/\b(kawal_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)].map((match) => match[1]));
    assert.ok(plotted.size >= 10);
    for (const name of plotted) assert.match(text, new RegExp(`^# TYPE ${name} `, "m"), `${name} is plotted but not exposed`);
  });

  test("operation names are bounded: past the limit every new name shares one label", () => {
    const label = boundedLabel(2);
    assert.deepEqual(["A", "B", "C", "A", undefined].map(label), ["A", "B", "(other)", "A", "(anonymous)"]);
  });
});
