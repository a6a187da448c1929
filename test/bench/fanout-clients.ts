import http from "node:http";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { FanoutTransport } from "./fanout";

/*
 * The subscribers of the fan-out benchmark, in a process of their own so the gateway's measured work is
 * not shared with them. A bare protocol client per connection (a full client per connection would
 * measure the client library): graphql-ws over a socket, or an SSE or multipart POST on /graphql.
 * Driven by the parent over IPC:
 *   { type: "connect", transport, url, token, queries: string[], count }  → { type: "ready", connected }
 *   { type: "receipts" }                                        → { type: "receipts", bySequence }
 *   { type: "close" }                                           → exits
 * Receipt times are wall-clock milliseconds with sub-millisecond precision (timeOrigin + now), comparable
 * with the parent's on the same machine.
 */

type Command =
  | { type: "connect"; transport: FanoutTransport; url: string; token: string; queries: string[]; count: number }
  | { type: "receipts" }
  | { type: "close" };

/** What closes each connection when the parent is done. */
const closers: Array<() => void> = [];
/** The alert's sequence, near the start of a graphql-ws `next` frame, an SSE event (its id) or a multipart part. */
const SEQUENCE: Record<FanoutTransport, RegExp> = {
  "graphql-ws": /"type":"next".*?"sequence":"(\d+)"/,
  sse: /^id: (\d+)/m,
  multipart: /"payload":.*?"sequence":"(\d+)"/,
};
let receipts = new Map<string, number[]>();
const now = () => performance.timeOrigin + performance.now();

function received(sequence: string, receivedAt: number): void {
  const list = receipts.get(sequence) ?? [];
  list.push(receivedAt);
  receipts.set(sequence, list);
}

/** The Accept header of each HTTP transport. */
const ACCEPT = { sse: "text/event-stream", multipart: 'multipart/mixed;subscriptionSpec="1.0"' };

/** An SSE or multipart subscription: one POST whose response streams the events. */
function openHttp(transport: "sse" | "multipart", url: string, token: string, query: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: "POST",
      headers: { accept: ACCEPT[transport], "content-type": "application/json", authorization: `Bearer ${token}` },
    });
    closers.push(() => request.destroy());
    request.on("response", (response) => {
      if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode}`));
      response.on("data", (chunk: Buffer) => {
        const receivedAt = now();
        // An event is written whole and arrives as one chunk here; its start names the sequence.
        const sequence = SEQUENCE[transport].exec(chunk.toString("latin1", 0, 300))?.[1];
        if (sequence) received(sequence, receivedAt);
      });
      resolve();
    });
    request.on("error", reject);
    request.end(JSON.stringify({ query }));
  });
}

function openWs(url: string, token: string, query: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws");
    closers.push(() => socket.terminate());
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    socket.on("message", (data: Buffer) => {
      const receivedAt = now();
      // Real subscribers sit on other machines: here, 10,000 of them share the gateway's two cores, so the
      // hot path only finds the sequence (no JSON.parse), keeping their cost out of the gateway's latency.
      const sequence = SEQUENCE["graphql-ws"].exec(data.toString("latin1", 0, 200))?.[1];
      if (sequence) return received(sequence, receivedAt);
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
        resolve();
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "error") {
        reject(new Error(JSON.stringify(message)));
      }
    });
    socket.on("error", reject);
    socket.once("close", (code: number, reason: Buffer) => reject(new Error(`closed before subscribing: ${code} ${reason.toString()}`)));
  });
}

process.on("message", async (command: Command) => {
  if (command.type === "connect") {
    // In batches, as a fleet of apps would arrive: not 10,000 handshakes in one tick.
    try {
      for (let start = 0; start < command.count; start += 250) {
        const batch = [];
        for (let n = start; n < Math.min(command.count, start + 250); n++) {
          const query = command.queries[n % command.queries.length];
          batch.push(command.transport === "graphql-ws" ? openWs(command.url, command.token, query) : openHttp(command.transport, command.url, command.token, query));
        }
        await Promise.all(batch);
      }
      process.send!({ type: "ready", connected: closers.length });
    } catch (error) {
      process.send!({ type: "ready", connected: closers.length, error: String(error) });
    }
  } else if (command.type === "receipts") {
    process.send!({ type: "receipts", bySequence: Object.fromEntries(receipts) });
    receipts = new Map();
  } else {
    for (const close of closers) close();
    process.exit(0);
  }
});
