import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { Caller } from "../../caller/claims";
import type { HttpTransport, OperationExecutor } from "../../gateway/subscriptions/http-streams";
import { createMultipartAdapter } from "../../gateway/subscriptions/multipart-adapter";
import { createQuotas, Quotas } from "../../gateway/subscriptions/policies/quotas";
import { createSseAdapter } from "../../gateway/subscriptions/sse-adapter";
import { attachWsAdapter, WsAdapter } from "../../gateway/subscriptions/ws-adapter";
import { EVENT_STREAM, MULTIPART, openStream, RawStream } from "../support/http-streams";
import { ALERTS_SUBSCRIPTION, anyone, FakeEngine, fakeVerifier, officer } from "../support/subscription-policies";

/*
 * The SSE and multipart transports over real HTTP, with the fake engine behind them: how each maps the
 * session's policies onto its protocol (statuses, frames, the end of a stream), and that they share one
 * set of per-caller quotas with graphql-ws.
 */

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the SSE and multipart adapters compose the same policies as graphql-ws", { timeout: 10_000 }, () => {
  const tokens: Record<string, Caller> = { siti: officer({ sub: "siti" }), hoarder: officer({ sub: "hoarder" }) };
  let engine: FakeEngine;
  let sse: HttpTransport;
  let multipart: HttpTransport;
  let ws: WsAdapter | undefined;
  let quotas: Quotas;
  const server = http.createServer((req, res) => void [sse, multipart].find((transport) => transport.accepts(req))?.handle(req, res));
  let url: string;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  after(async () => {
    await ws?.dispose();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Fresh transports over one engine and one set of quotas, as attachSubscriptions wires them. */
  async function attach(
    options: { maxConnectionsPerCaller?: number; maxSubscriptionsPerCaller?: number; maxBufferedBytes?: number; executeOperation?: OperationExecutor } = {},
  ) {
    sse?.dispose();
    multipart?.dispose();
    await ws?.dispose();
    engine = new FakeEngine();
    quotas = createQuotas(options);
    const shared = { engine, verifier: fakeVerifier(tokens), authorize: anyone, quotas, maxBufferedBytes: options.maxBufferedBytes };
    sse = createSseAdapter({ ...shared, executeOperation: options.executeOperation });
    multipart = createMultipartAdapter({ ...shared, executeOperation: options.executeOperation });
    ws = attachWsAdapter(server, shared);
  }

  /** A stream of `token` whose subscription has reached the engine. */
  async function subscribed(accept: string, token: string, headers: Record<string, string> = {}) {
    const count = engine.subscriptions.length;
    const stream = await openStream(url, accept, token, { query: ALERTS_SUBSCRIPTION }, headers);
    assert.equal(stream.status, 200, stream.text());
    await eventually(() => engine.subscriptions.length > count, "no subscription");
    return { stream, subscription: engine.subscriptions[count] };
  }

  test("SSE: the engine's string goes out as it is, with the alert's cursor as the event id; the end is `complete`", async () => {
    await attach();
    const { stream, subscription } = await subscribed(EVENT_STREAM, "siti");
    assert.equal(subscription.scope.sub, "siti");
    subscription.sink.next('{"data":{"incidentAlerts":"19.06"}}', "42");
    await stream.until((text) => text.includes("19.06"));
    assert.match(stream.text(), /id: 42\nevent: next\ndata: \{"data":\{"incidentAlerts":"19\.06"\}\}\n\n/);
    subscription.sink.complete();
    assert.match(await stream.ended(), /event: complete\n/);
    assert.equal(subscription.disposed, 1);
  });

  test("SSE: Last-Event-ID is handed to the engine as the cursor to resume after", async () => {
    await attach();
    const { stream, subscription } = await subscribed(EVENT_STREAM, "siti", { "last-event-id": "41" });
    assert.deepEqual(subscription.options, { after: "41" });
    stream.close();
  });

  test("multipart: the engine's string inside {payload}, each part followed by the boundary; the end is --graphql--", async () => {
    await attach();
    const { stream, subscription } = await subscribed(MULTIPART, "siti");
    assert.equal(stream.headers.get("content-type"), 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    subscription.sink.next('{"data":{"incidentAlerts":"19.06"}}', "42");
    await stream.until((text) => text.includes("19.06"));
    assert.ok(stream.text().endsWith('\r\ncontent-type: application/json\r\n\r\n{"payload":{"data":{"incidentAlerts":"19.06"}}}\r\n--graphql'));
    subscription.sink.complete();
    assert.ok((await stream.ended()).endsWith("\r\n--graphql--\r\n"));
  });

  test("SSE over GET: the document in the query string, the stream the same", async () => {
    await attach();
    const response = await fetch(`${url}?query=${encodeURIComponent(ALERTS_SUBSCRIPTION)}`, { headers: { accept: EVENT_STREAM, authorization: "Bearer siti" } });
    assert.equal(response.status, 200);
    await eventually(() => engine.subscriptions.length === 1, "no subscription");
    engine.subscriptions[0].sink.next('{"data":{"incidentAlerts":"19.06"}}', "7");
    engine.subscriptions[0].sink.complete();
    assert.match(await response.text(), /id: 7\nevent: next\ndata: \{"data":\{"incidentAlerts":"19\.06"\}\}/);
  });

  test("queries sent to either stream run through the executor as the stream's caller, and are refused without one", async () => {
    const query = { query: '{ region(code: "19.06") }' };
    await attach();
    for (const accept of [EVENT_STREAM, MULTIPART]) {
      const refused = await openStream(url, accept, "siti", query);
      assert.equal(refused.status, 405, accept);
      assert.match(await refused.ended(), /OPERATION_NOT_SUPPORTED/);
    }
    await attach({ executeOperation: async (request, caller) => ({ data: { region: `${caller?.sub} asked ${request.query}` } }) });
    const overSse = await openStream(url, EVENT_STREAM, "siti", query);
    assert.match(await overSse.ended(), /event: next\ndata: \{"data":\{"region":"siti asked \{ region\(code: \\"19\.06\\"\) \}"\}\}\n\nevent: complete/);
    const overMultipart = await openStream(url, MULTIPART, "siti", query);
    assert.deepEqual(JSON.parse(await overMultipart.ended()), { data: { region: 'siti asked { region(code: "19.06") }' } });
    assert.equal(quotas.usage("sub:siti").connections, 0, "a query holds no connection once answered");
  });

  test("a bad token is refused with 401 before any stream opens", async () => {
    await attach();
    for (const accept of [EVENT_STREAM, MULTIPART]) {
      const refused = await openStream(url, accept, "forged");
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get("www-authenticate"), "Bearer");
      assert.match(await refused.ended(), /the token is not valid \(bad signature or format\)/);
    }
    assert.equal(engine.subscriptions.length, 0);
  });

  test("one caller's connections count together over graphql-ws, SSE and multipart: one more gets 429", async () => {
    await attach({ maxConnectionsPerCaller: 2 });
    const socket = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws");
    socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer hoarder" } })));
    await eventually(() => quotas.usage("sub:hoarder").connections === 1, "the socket was not counted");
    const { stream } = await subscribed(EVENT_STREAM, "hoarder");
    const refused = await openStream(url, MULTIPART, "hoarder");
    assert.equal(refused.status, 429);
    assert.match(await refused.ended(), /TOO_MANY_CONNECTIONS/);
    stream.close();
    await eventually(() => quotas.usage("sub:hoarder").connections === 1, "the closed stream kept its allowance");
    (await subscribed(MULTIPART, "hoarder")).stream.close();
    socket.close();
  });

  test("one caller's subscriptions count together too: beyond the quota, 429 TOO_MANY_SUBSCRIPTIONS", async () => {
    await attach({ maxSubscriptionsPerCaller: 1 });
    const { stream } = await subscribed(MULTIPART, "hoarder");
    const refused = await openStream(url, EVENT_STREAM, "hoarder");
    assert.equal(refused.status, 429);
    assert.match(await refused.ended(), /TOO_MANY_SUBSCRIPTIONS/);
    stream.close();
    await eventually(() => engine.subscriptions[0].disposed === 1, "closing the stream did not leave the engine");
    await eventually(() => quotas.usage("sub:hoarder").subscriptions === 0, "the closed stream kept its subscription");
  });

  test("when the token expires the stream ends with an error that says so", async () => {
    await attach();
    tokens.brief = officer({ sub: "brief", exp: (Date.now() + 300) / 1000 });
    const overSse = await subscribed(EVENT_STREAM, "brief");
    const overMultipart = await subscribed(MULTIPART, "brief");
    const sseText = await overSse.stream.ended();
    assert.match(sseText, /event: next\ndata: \{"errors":\[\{"message":"the token has expired[^\n]*TOKEN_EXPIRED/);
    assert.match(sseText, /event: complete/);
    const multipartText = await overMultipart.stream.ended();
    assert.match(multipartText, /\{"payload":null,"errors":\[\{"message":"the token has expired.*TOKEN_EXPIRED.*\r\n--graphql--\r\n$/s);
  });

  test("a client that falls behind is cut, so it reconnects and resumes", async () => {
    await attach({ maxBufferedBytes: -1 }); // a limit no response meets: every client counts as behind
    for (const accept of [EVENT_STREAM, MULTIPART]) {
      const { stream, subscription } = await subscribed(accept, "siti");
      subscription.sink.next('{"data":null}', "1");
      await stream.ended();
      await eventually(() => subscription.disposed === 1, `${accept}: the cut stream did not leave the engine`);
    }
  });

  test("dispose cuts every stream and gives their subscriptions back", async () => {
    await attach();
    const streams: RawStream[] = [(await subscribed(EVENT_STREAM, "siti")).stream, (await subscribed(MULTIPART, "siti")).stream];
    sse.dispose();
    multipart.dispose();
    await Promise.all(streams.map((stream) => stream.ended()));
    await eventually(() => engine.open().length === 0, "streams were left in the engine");
  });
});
