import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { AlertCollector, ALERTS, alertClient } from "../support/alerts";
import { DemoIds, loadDemoStory } from "../support/demo";
import { agencyOf, startTestHub, TestHub } from "../support/hub";

/** A raw graphql-transport-ws socket, to send what a well-behaved client never would. */
class RawSocket {
  readonly socket: WebSocket;
  readonly messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws", { headers });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once("open", () => resolve());
      this.socket.once("error", reject);
      this.socket.once("unexpected-response", (_request, response) => reject(new Error(`handshake refused: ${response.statusCode}`)));
    });
    this.closed = new Promise((resolve) => this.socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    this.socket.on("message", (data: Buffer) => this.messages.push(JSON.parse(data.toString())));
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  async next(type: string, ms = 3000): Promise<{ type: string; id?: string; payload?: unknown }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find((message) => message.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} message; got ${JSON.stringify(this.messages)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe("the subscription socket holds against hostile clients", () => {
  let hub: TestHub;
  let ids: DemoIds;
  let agencyToken: string;
  before(async () => {
    hub = await startTestHub("sqlite", { KAWAL_WS_ALLOWED_ORIGINS: "https://kawal.example.id" });
    ids = await loadDemoStory(hub);
    agencyToken = await hub.token(agencyOf(ids.org.bawaslu));
  });
  after(() => hub.dispose());

  /** The hub still answers, and the directory still holds the demo. */
  async function assertUnharmed(): Promise<void> {
    const { data } = await hub.query<{ organizations: { totalCount: number } }>(`{ organizations(first: 0) { totalCount } }`);
    assert.ok(data!.organizations.totalCount >= 11);
  }

  const initialised = async (token = agencyToken): Promise<RawSocket> => {
    const raw = new RawSocket(hub.url);
    await raw.opened;
    raw.send({ type: "connection_init", payload: { authorization: `Bearer ${token}` } });
    await raw.next("connection_ack");
    return raw;
  };

  test("a garbage frame closes only that socket (4400)", async () => {
    const raw = new RawSocket(hub.url);
    await raw.opened;
    raw.send("\u0000not json{{{");
    assert.equal((await raw.closed).code, 4400);
    await assertUnharmed();
  });

  test("a silent socket that never sends connection_init is closed (4408)", async () => {
    const raw = new RawSocket(hub.url);
    await raw.opened;
    assert.equal((await raw.closed).code, 4408);
  });

  test("subscribing before connection_init is refused (4401)", async () => {
    const raw = new RawSocket(hub.url);
    await raw.opened;
    raw.send({ id: "1", type: "subscribe", payload: { query: ALERTS } });
    assert.equal((await raw.closed).code, 4401);
  });

  test("a duplicate subscription id is refused (4409)", async () => {
    const raw = await initialised();
    raw.send({ id: "same", type: "subscribe", payload: { query: ALERTS } });
    raw.send({ id: "same", type: "subscribe", payload: { query: ALERTS } });
    assert.equal((await raw.closed).code, 4409);
  });

  test("a parse error answers that operation and keeps the socket", async () => {
    const raw = await initialised();
    raw.send({ id: "broken", type: "subscribe", payload: { query: "subscription { incidentAlerts { " } });
    const error = await raw.next("error");
    assert.equal(error.id, "broken");
    assert.match(JSON.stringify(error.payload), /Syntax Error/);
    raw.send({ id: "fine", type: "subscribe", payload: { query: "{ region(code: \"19.06\") { name } }" } });
    const answer = await raw.next("next");
    assert.deepEqual(answer.payload, { data: { region: { name: "Kabupaten Belitung Timur" } } });
    raw.socket.close();
  });

  test("a message over 64 KiB closes the socket (1009)", async () => {
    const raw = await initialised();
    raw.send({ id: "big", type: "subscribe", payload: { query: `# ${"x".repeat(70 * 1024)}\n${ALERTS}` } });
    assert.equal((await raw.closed).code, 1009);
    await assertUnharmed();
  });

  test("a browser page from an origin outside the allow-list cannot open a socket", async () => {
    const foreign = new RawSocket(hub.url, { origin: "https://evil.example" });
    await assert.rejects(foreign.opened, /handshake refused: 403/);
    const own = new RawSocket(hub.url, { origin: "https://kawal.example.id" });
    await own.opened;
    own.socket.close();
  });

  test("one caller may hold at most 20 sockets; the 21st is closed (4429)", async () => {
    const token = await hub.token({ ...agencyOf(ids.org.bawaslu), sub: "socket-hoarder" });
    const sockets = await Promise.all(Array.from({ length: 20 }, () => initialised(token)));
    const extra = new RawSocket(hub.url);
    await extra.opened;
    extra.send({ type: "connection_init", payload: { authorization: `Bearer ${token}` } });
    assert.equal((await extra.closed).code, 4429);
    for (const raw of sockets) raw.socket.close();
    await Promise.all(sockets.map((raw) => raw.closed));
    // Closed sockets give the allowance back.
    const again = await initialised(token);
    again.socket.close();
  });

  test("one caller may hold at most 50 subscriptions; the 51st gets an error, the rest stay", async () => {
    const client = alertClient(hub.url, await hub.token({ ...agencyOf(ids.org.bawaslu), sub: "subscription-hoarder" }));
    const screens = Array.from({ length: 50 }, () => new AlertCollector(client));
    const deadline = Date.now() + 5000;
    while (hub.hub.gateway.subscriptions.stats().streams < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const extra = new AlertCollector(client);
    await extra.failed();
    assert.match(JSON.stringify(extra.errors), /too many open subscriptions/);
    assert.ok(screens.every((screen) => screen.errors.length === 0 && !screen.completed));
    screens.forEach((screen) => screen.unsubscribe());
    await client.dispose();
  });
});
