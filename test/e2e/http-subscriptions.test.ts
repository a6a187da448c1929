import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApolloClient, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { Caller } from "../../caller/claims";
import { AlertCollector, ALERTS, alertClient, ReceivedAlert, subscribersSettled } from "../support/alerts";
import { startCutProxy } from "../support/cut-proxy";
import { DemoIds, loadDemoStory } from "../support/demo";
import { EVENT_STREAM, MULTIPART, multipartParts, openStream, sseAlertClient, sseEvents } from "../support/http-streams";
import { agencyOf, integrator, ormasOf, startTestHub, TestHub } from "../support/hub";
import { reportInput } from "../support/report-writers";

/*
 * Partner tools behind networks that block WebSockets get live alerts over plain HTTP on /graphql: Server-
 * Sent Events (graphql-sse) and multipart (Apollo Client's HttpLink), served by the same engine and the same
 * policies as graphql-ws. The transport does not touch the database, so SQLite is enough here.
 */

const REPORT = `mutation ($input: ReportIncidentInput!) { reportIncident(input: $input) { id } }`;

describe("live alerts over SSE and multipart HTTP", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let serial = 0;
  before(async () => {
    hub = await startTestHub("sqlite");
    ids = await loadDemoStory(hub);
  });
  after(() => hub.dispose());

  const stats = () => hub.hub.gateway.subscriptions.stats();
  const settled = (subscribers: number) => subscribersSettled(stats, subscribers);
  const bawaslu = () => agencyOf(ids.org.bawaslu);
  const pemuda = () => ormasOf(ids.org.pemuda);

  async function report(by: Caller = pemuda(), overrides: Record<string, unknown> = {}): Promise<string> {
    const title = `Unggahan fitnah lewat HTTP #${++serial}`;
    const { errors } = await hub.query(REPORT, { input: { ...reportInput(title), ...overrides } }, by);
    assert.equal(errors, undefined, JSON.stringify(errors));
    return title;
  }

  test("a newsroom tool on Apollo Client's HttpLink receives the hydrated alert over multipart", async () => {
    const token = await hub.token(bawaslu());
    const apollo = new ApolloClient({ link: new HttpLink({ uri: hub.url, headers: { authorization: `Bearer ${token}` } }), cache: new InMemoryCache() });
    const received: ReceivedAlert[] = [];
    const errors: unknown[] = [];
    const subscription = apollo.subscribe<{ incidentAlerts: ReceivedAlert }>({ query: gql(ALERTS) }).subscribe({
      next: (result) => {
        if (result.data) received.push(result.data.incidentAlerts);
        if (result.error) errors.push(result.error);
      },
      error: (error) => errors.push(error),
    });
    await settled(1);
    assert.equal(stats().multipartStreams, 1);
    const title = await report(pemuda(), { candidatePairId: ids.candidatePairIds[1], eventId: ids.eventId });
    // Sooner than the next heartbeat (5 s): a part reaches the client as soon as it is written.
    const deadline = Date.now() + 4000;
    while (received.length === 0 && errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(errors, []);
    assert.equal(received[0]?.report.title, title);
    assert.equal(received[0]?.report.reporter?.name, "Perkumpulan Pemuda Peduli Manggar");
    assert.equal(received[0]?.report.candidatePair?.ballotNumber, 2);
    subscription.unsubscribe();
  });

  test("curl's view of multipart: a heartbeat part at once, then the alert as {payload}", async () => {
    const stream = await openStream(hub.url, MULTIPART, await hub.token(bawaslu()));
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get("content-type"), 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    await stream.until((text) => text.includes("{}"), 5000, "the first heartbeat");
    await settled(1);
    const title = await report();
    await stream.until((text) => text.includes(title), 5000, "the alert");
    const [heartbeat, event] = multipartParts(stream.text()) as [unknown, { payload: { data: { incidentAlerts: ReceivedAlert } } }];
    assert.deepEqual(heartbeat, {});
    assert.equal(event.payload.data.incidentAlerts.report.title, title);
    stream.close();
  });

  test("over SSE each alert's event id is its sequence, and Last-Event-ID resumes right after it", async () => {
    const token = await hub.token(bawaslu());
    const first = await openStream(hub.url, EVENT_STREAM, token);
    assert.equal(first.status, 200);
    await settled(1);
    const seen = await report();
    await first.until((text) => text.includes(seen), 5000, "the first alert");
    const [event] = sseEvents(first.text()) as Array<{ id?: string; data: { data: { incidentAlerts: ReceivedAlert } } }>;
    assert.equal(event.id, event.data.data.incidentAlerts.sequence);
    first.close();

    const missed = [await report(), await report()];
    const second = await openStream(hub.url, EVENT_STREAM, token, undefined, { "last-event-id": event.id! });
    await second.until((text) => missed.every((title) => text.includes(title)), 5000, "the missed alerts");
    const titles = sseEvents(second.text()).map((e) => (e.data as { data: { incidentAlerts: ReceivedAlert } }).data.incidentAlerts.report.title);
    assert.deepEqual(titles, missed);
    second.close();
  });

  test("a partner's graphql-sse client loses its connection, reconnects with Last-Event-ID, and misses nothing", async () => {
    const proxy = await startCutProxy(hub.url);
    let lastSequence: string | undefined;
    let reconnect: () => void = () => undefined;
    const client = sseAlertClient(proxy.url, await hub.token(bawaslu()), {
      headers: (): Record<string, string> => (lastSequence ? { "last-event-id": lastSequence } : {}),
      retryAttempts: 3,
      retry: () => new Promise<void>((resolve) => (reconnect = resolve)),
    });
    const feed = new AlertCollector({
      subscribe: (request, sink) =>
        client.subscribe<{ incidentAlerts: ReceivedAlert }>(request, {
          ...sink,
          next(value) {
            if (value.data) lastSequence = value.data.incidentAlerts.sequence;
            sink.next(value);
          },
        }),
    });
    await settled(1);
    const before = await report();
    await feed.count(1);
    proxy.cutAll();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the gateway sees the stream close
    const whileAway = [await report(), await report()];
    reconnect();
    await feed.count(3);
    const live = await report();
    await feed.count(4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(feed.alerts.map((alert) => alert.report.title), [before, ...whileAway, live]);
    assert.deepEqual(feed.errors, []);
    feed.unsubscribe();
    client.dispose();
    await proxy.dispose();
  });

  test("one subscription over graphql-ws, SSE and multipart on one gateway: one upstream, one hydration per alert", async () => {
    const token = await hub.token(bawaslu());
    const opened = stats().upstreamsOpened;
    const wsClient = alertClient(hub.url, token);
    const ws = new AlertCollector(wsClient);
    const sseClient = sseAlertClient(hub.url, await hub.token({ ...bawaslu(), sub: "another-officer" }));
    const sse = new AlertCollector(sseClient);
    const multipart = await openStream(hub.url, MULTIPART, token);
    await settled(3);
    assert.equal(stats().upstreamsOpened - opened, 1);
    const hydrations = stats().hydrations;
    const title = await report();
    await Promise.all([ws.count(1), sse.count(1), multipart.until((text) => text.includes(title))]);
    assert.equal(stats().hydrations - hydrations, 1);
    assert.deepEqual(ws.alerts, sse.alerts);
    const parts = multipartParts(multipart.text()).filter((part): part is { payload: { data: { incidentAlerts: ReceivedAlert } } } => "payload" in (part as object));
    assert.deepEqual(parts.map((part) => part.payload.data.incidentAlerts), ws.alerts);
    ws.unsubscribe();
    sse.unsubscribe();
    multipart.close();
    await wsClient.dispose();
    sseClient.dispose();
  });

  test("refused like on graphql-ws: no token 401, a bad token 401, an ormas 403, an integrator without subscribe:alerts 403", async () => {
    for (const accept of [EVENT_STREAM, MULTIPART]) {
      const cases: Array<[string | null, number, RegExp]> = [
        [null, 401, /needs a bearer token/],
        ["not-a-token", 401, /./],
        [await hub.token(pemuda()), 403, /AGENCY|subscribe:alerts/],
        [await hub.token(integrator(["read:incidents"])), 403, /subscribe:alerts/],
      ];
      for (const [token, status, message] of cases) {
        const refused = await openStream(hub.url, accept, token);
        assert.equal(refused.status, status, `${accept} with ${token ?? "no token"}`);
        const body = JSON.parse(await refused.ended()) as { errors: Array<{ message: string }> };
        assert.match(body.errors[0].message, message);
      }
    }
    assert.equal(stats().subscribers, 0, "nothing was subscribed");
  });

  test("the operation limits are the HTTP gateway's: a subscription with too many aliases is refused with 400", async () => {
    const aliases = Array.from({ length: 40 }, (_, n) => `a${n}: sequence`).join(" ");
    for (const accept of [EVENT_STREAM, MULTIPART]) {
      const refused = await openStream(hub.url, accept, await hub.token(bawaslu()), { query: `subscription { incidentAlerts { ${aliases} } }` });
      assert.equal(refused.status, 400, accept);
      await refused.until((text) => /alias/i.test(text), 2000, "the reason");
    }
  });

  test("a subscription POSTed or sent with GET for a plain JSON answer gets 406 naming graphql-ws, SSE and multipart, not a 500", async () => {
    const headers = { accept: "application/json", authorization: `Bearer ${await hub.token(bawaslu())}` };
    const posted = await fetch(hub.url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ query: ALERTS }) });
    const got = await fetch(`${hub.url}?query=${encodeURIComponent(ALERTS)}`, { headers: { ...headers, "apollo-require-preflight": "true" } });
    for (const response of [posted, got]) {
      assert.equal(response.status, 406);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.errors[0].extensions.code, "OPERATION_NOT_SUPPORTED");
      assert.match(body.errors[0].message, /ws:\/\/127\.0\.0\.1:\d+\/graphql/);
      assert.match(body.errors[0].message, /text\/event-stream/);
      assert.match(body.errors[0].message, /multipart\/mixed;subscriptionSpec="1\.0"/);
    }
  });
});
