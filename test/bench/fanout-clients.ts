import { performance } from "node:perf_hooks";
import WebSocket from "ws";

/*
 * The subscribers of the fan-out benchmark, in a process of their own so the gateway's measured work is
 * not shared with them. A bare graphql-ws protocol client per socket (a full client per socket would
 * measure the client library). Driven by the parent over IPC:
 *   { type: "connect", url, token, queries: string[], count }  → { type: "ready", connected }
 *   { type: "receipts" }                                        → { type: "receipts", bySequence }
 *   { type: "close" }                                           → exits
 * Receipt times are wall-clock milliseconds with sub-millisecond precision (timeOrigin + now), comparable
 * with the parent's on the same machine.
 */

type Command =
  | { type: "connect"; url: string; token: string; queries: string[]; count: number }
  | { type: "receipts" }
  | { type: "close" };

const sockets: WebSocket[] = [];
/** The alert's sequence, near the start of a `next` frame. */
const SEQUENCE = /"type":"next".*?"sequence":"(\d+)"/;
let receipts = new Map<string, number[]>();
const now = () => performance.timeOrigin + performance.now();

function open(url: string, token: string, query: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    sockets.push(socket);
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    socket.on("message", (data: Buffer) => {
      const receivedAt = now();
      // Real subscribers sit on other machines: here, 10,000 of them share the gateway's two cores, so the
      // hot path only finds the sequence (no JSON.parse), keeping their cost out of the gateway's latency.
      const sequence = SEQUENCE.exec(data.toString("latin1", 0, 200))?.[1];
      if (sequence) {
        const list = receipts.get(sequence) ?? [];
        list.push(receivedAt);
        receipts.set(sequence, list);
        return;
      }
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
        for (let n = start; n < Math.min(command.count, start + 250); n++) batch.push(open(command.url, command.token, command.queries[n % command.queries.length]));
        await Promise.all(batch);
      }
      process.send!({ type: "ready", connected: sockets.length });
    } catch (error) {
      process.send!({ type: "ready", connected: sockets.length, error: String(error) });
    }
  } else if (command.type === "receipts") {
    process.send!({ type: "receipts", bySequence: Object.fromEntries(receipts) });
    receipts = new Map();
  } else {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
