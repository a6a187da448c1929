import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import type { Caller } from "../../caller/claims";
import { createQuotas } from "../../gateway/subscriptions/policies/quotas";
import { attachWsAdapter, WsAdapter, WsAdapterOptions } from "../../gateway/subscriptions/ws-adapter";
import { ALERTS_SUBSCRIPTION, anyone, FakeEngine, fakeVerifier, officer } from "../support/subscription-policies";

/*
 * The graphql-ws transport over a real socket, with the fake engine behind it: what the adapter maps from
 * the policies onto the protocol (close codes, frames, errors per operation), without subgraphs.
 */

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A graphql-transport-ws client speaking raw frames; keeps each message as its text. */
function connect(url: string, token?: string) {
  const socket = new WebSocket(url, "graphql-transport-ws");
  const texts: string[] = [];
  socket.on("message", (data: Buffer) => texts.push(data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const send = (message: Message) => socket.send(JSON.stringify(message));
  socket.once("open", () => send({ type: "connection_init", payload: token ? { authorization: `Bearer ${token}` } : {} }));
  /** The first message of `type` (for subscription `id`, when given). */
  async function next(type: string, id?: string, ms = 2000): Promise<{ message: Message; text: string }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = texts.find((t) => {
        const message = JSON.parse(t) as Message;
        return message.type === type && (id === undefined || message.id === id);
      });
      if (text) return { message: JSON.parse(text) as Message, text };
      if (Date.now() > deadline) throw new Error(`no ${type} message; got ${texts.join(" ")}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const subscribe = (id: string, query = ALERTS_SUBSCRIPTION) => send({ id, type: "subscribe", payload: { query } });
  return { socket, closed, send, next, subscribe };
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the graphql-ws adapter composes the policies", { timeout: 10_000 }, () => {
  const server = http.createServer();
  let url: string;
  let engine: FakeEngine;
  let adapter: WsAdapter | undefined;
  const tokens: Record<string, Caller> = { siti: officer({ sub: "siti" }), hoarder: officer({ sub: "hoarder" }) };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A fresh adapter on the server (the previous one disposed) with `options`. */
  async function attach(options: Partial<WsAdapterOptions> = {}): Promise<FakeEngine> {
    await adapter?.dispose();
    engine = new FakeEngine();
    adapter = attachWsAdapter(server, { engine, verifier: fakeVerifier(tokens), authorize: anyone, ...options });
    return engine;
  }

  /** A client of `token` past connection_ack. */
  async function acked(token: string) {
    const client = connect(url, token);
    await client.next("connection_ack");
    return client;
  }

  /** A client of `token` with subscription `id` started in the engine. */
  async function subscribed(token: string, id: string) {
    const client = await acked(token);
    const count = engine.subscriptions.length;
    client.subscribe(id);
    await eventually(() => engine.subscriptions.length > count, "no subscription");
    return { client, subscription: engine.subscriptions[count] };
  }

  test("a payload goes out as a graphql-ws next frame that carries the engine's string as it is", async () => {
    await attach();
    const { client, subscription } = await subscribed("siti", "screen-1");
    assert.equal(subscription.scope.sub, "siti");
    subscription.sink.next('{"data":{"incidentAlerts":"19.06"}}');
    const { text } = await client.next("next");
    assert.equal(text, '{"id":"screen-1","type":"next","payload":{"data":{"incidentAlerts":"19.06"}}}');
    subscription.sink.complete();
    assert.deepEqual((await client.next("complete")).message, { id: "screen-1", type: "complete" });
    assert.equal(adapter!.stats().streams, 0);
    client.socket.close();
  });

  test("a bad token closes the socket with 4403 and says why", async () => {
    await attach();
    const client = connect(url, "forged");
    assert.deepEqual(await client.closed, { code: 4403, reason: "the token is not valid (bad signature or format)" });
  });

  test("a caller's socket beyond its quota is closed with 4429; its subscriptions beyond it get an error", async () => {
    await attach({ quotas: createQuotas({ maxConnectionsPerCaller: 1, maxSubscriptionsPerCaller: 1 }) });
    const first = await acked("hoarder");
    const second = connect(url, "hoarder");
    assert.equal((await second.closed).code, 4429);
    first.subscribe("a");
    first.subscribe("b");
    const { message } = await first.next("error");
    assert.equal(message.id, "b");
    assert.match(JSON.stringify(message.payload), /TOO_MANY_SUBSCRIPTIONS/);
    first.socket.close();
    await first.closed;
    await eventually(() => engine.subscriptions[0].disposed === 1, "closing the socket did not leave the engine");
    const again = await acked("hoarder"); // the closed socket gave its allowance back
    again.socket.close();
  });

  test("the client completing leaves the engine", async () => {
    await attach();
    const { client, subscription } = await subscribed("siti", "1");
    client.send({ id: "1", type: "complete" });
    await eventually(() => subscription.disposed === 1, "complete did not leave the engine");
    client.socket.close();
  });

  test("a socket that falls behind is closed with 1013 and told to resume", async () => {
    await attach({ maxBufferedBytes: -1 }); // a limit no socket meets: every socket counts as behind
    const { client, subscription } = await subscribed("siti", "1");
    subscription.sink.next('{"data":null}');
    const closed = await client.closed;
    assert.equal(closed.code, 1013);
    assert.match(closed.reason, /reconnect and subscribe with after/);
  });

  test("when the token expires the subscription ends with an error, and later operations are refused", async () => {
    await attach();
    tokens.brief = officer({ sub: "brief", exp: (Date.now() + 300) / 1000 });
    const { client, subscription } = await subscribed("brief", "1");
    assert.match(JSON.stringify((await client.next("error", "1")).message.payload), /TOKEN_EXPIRED/);
    assert.equal(subscription.disposed, 1);
    client.subscribe("2", '{ region(code: "19.06") }');
    assert.match(JSON.stringify((await client.next("error", "2")).message.payload), /TOKEN_EXPIRED/);
    client.socket.close();
  });

  test("queries go over HTTP unless an executor is given; then they run as the socket's caller", async () => {
    await attach();
    const refused = await acked("siti");
    refused.subscribe("q", '{ region(code: "19.06") }');
    assert.match(JSON.stringify((await refused.next("error")).message.payload), /OPERATION_NOT_SUPPORTED/);
    refused.socket.close();

    await attach({ executeOperation: async (request, caller) => ({ data: { region: `${caller?.sub} asked ${request.query}` } }) });
    const client = await acked("siti");
    client.subscribe("q", '{ region(code: "19.06") }');
    assert.deepEqual((await client.next("next")).message.payload, { data: { region: 'siti asked { region(code: "19.06") }' } });
    client.socket.close();
  });

  test("dispose closes every socket with 1001", async () => {
    await attach();
    const client = await acked("siti");
    await adapter!.dispose();
    adapter = undefined;
    assert.equal((await client.closed).code, 1001);
  });
});
