import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { startTracing } from "../../platform/tracing";
import { DemoIds, loadDemoStory, MANGGAR } from "../support/demo";
import { AlertCollector, alertClient } from "../support/alerts";
import { agencyOf, ormasOf, startTestHub, TestHub } from "../support/hub";
import { until } from "../support/report-writers";
import { hoaxReport, REPORT } from "../support/reports";

const sdkLoaded = () => Object.keys(require.cache).some((file) => file.includes(`${"@opentelemetry"}/sdk-node`));

describe("one trace per request, from the client through the gateway to every subgraph it reached", () => {
  const exporter = new InMemorySpanExporter();
  let sdkBeforeTracing: boolean;
  let stopTracing: () => Promise<void>;
  let hub: TestHub;
  let ids: DemoIds;
  before(async () => {
    sdkBeforeTracing = sdkLoaded();
    stopTracing = startTracing("kawal-test", new SimpleSpanProcessor(exporter));
    hub = await startTestHub("sqlite");
    ids = await loadDemoStory(hub);
  });
  after(async () => {
    await hub.dispose();
    await stopTracing();
  });

  test("without tracing, the hub's modules load no OpenTelemetry SDK", () => {
    assert.equal(sdkBeforeTracing, false);
  });

  test("the Manggar story's query is one trace: the gateway's request, plan and fetches, each subgraph's request, resolvers and SQL", async () => {
    exporter.reset();
    // A client that traces too: its trace id is the one every span must carry.
    const traceId = crypto.randomBytes(16).toString("hex");
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-${crypto.randomBytes(8).toString("hex")}-01` },
      body: JSON.stringify({ query: MANGGAR, variables: { id: ids.eventId } }),
    });
    assert.equal(response.status, 200);
    const spans: ReadableSpan[] = exporter.getFinishedSpans();
    const names = new Set(spans.map((span) => span.name));
    assert.deepEqual(new Set(spans.map((span) => span.spanContext().traceId)), new Set([traceId]));
    for (const name of ["gateway request", "gateway.request", "gateway.plan", "gateway.fetch", "Query.event", "SQL SELECT"]) assert.ok(names.has(name), `no span ${name} in ${[...names].join(", ")}`);
    const reached = new Set(spans.filter((span) => span.name.startsWith("subgraph ")).map((span) => span.name));
    assert.deepEqual(reached, new Set(["subgraph events", "subgraph organizations", "subgraph elections", "subgraph declarations"]));
    // Parents are found: each subgraph's request hangs under one of the gateway's fetches.
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    for (const span of spans.filter((each) => each.name.startsWith("subgraph "))) {
      assert.equal(byId.get(span.parentSpanContext?.spanId ?? "")?.name, "gateway.fetch", span.name);
    }
  });

  test("a Bawaslu screen's subscription is traced to the incidents subgraph over graphql-ws, and each alert's fan-out is a span", async () => {
    exporter.reset();
    const client = alertClient(hub.url, await hub.token(agencyOf(ids.org.bawaslu)));
    const screen = new AlertCollector(client, {}, `subscription Screen { incidentAlerts { sequence report { title } } }`);
    await until(() => hub.hub.gateway.subscriptions.stats().upstreams === 1);
    const opened = exporter.getFinishedSpans();
    const subscribe = opened.find((span) => span.name === "ws subscribe");
    assert.ok(subscribe, `no ws subscribe span in ${opened.map((span) => span.name).join(", ")}`);
    await until(() => exporter.getFinishedSpans().some((span) => span.name.startsWith("subgraph subscribe")));
    const upstream = exporter.getFinishedSpans().find((span) => span.name.startsWith("subgraph subscribe"))!;
    assert.equal(upstream.spanContext().traceId, subscribe.spanContext().traceId);
    await hub.query(REPORT, { input: hoaxReport("Amplop di Kelapa Kampit") }, ormasOf(ids.org.pemuda));
    await screen.count(1);
    await until(() => exporter.getFinishedSpans().some((span) => span.name === "alert fan-out"));
    screen.unsubscribe();
    await client.dispose();
  });
});
