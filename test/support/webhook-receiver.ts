import http from "node:http";
import { Webhook } from "standardwebhooks";
import { close, listen } from "../../platform/http";

/** A delivery as a partner's server sees it, after verifying its signature. */
export interface ReceivedDelivery {
  id: string;
  type: string;
  data: unknown;
}

/**
 * A partner's webhook endpoint on 127.0.0.1: verifies every request with the `standardwebhooks` package
 * (once `secret` is known), answers 500 to the first `failFirst` requests, and keeps each message once
 * by its webhook-id, as a receiver is told to.
 */
export class WebhookReceiver {
  /** Unique messages in arrival order (duplicates by webhook-id dropped). */
  readonly messages: ReceivedDelivery[] = [];
  /** Every request, duplicates and refused ones included. */
  requests = 0;
  /** Requests whose signature did not verify. */
  readonly badSignatures: string[] = [];
  secret: string | undefined;
  /** Requests still to be answered 500. */
  failFirst = 0;
  /** Answer 500 to every request while true. */
  down = false;
  private readonly seen = new Set<string>();
  private waiters: Array<() => void> = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => this.receive(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  url = "";

  async start(): Promise<this> {
    const port = await listen(this.server, 0, "127.0.0.1");
    this.url = `http://127.0.0.1:${port}/hooks/kawal`;
    return this;
  }

  private receive(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    this.requests++;
    if (this.down || this.failFirst > 0) {
      this.failFirst = Math.max(0, this.failFirst - 1);
      res.writeHead(500).end("busy");
      return;
    }
    let verified: { type: string; data: unknown };
    try {
      verified = new Webhook(this.secret ?? "").verify(body, req.headers as Record<string, string>) as { type: string; data: unknown };
    } catch (error) {
      this.badSignatures.push(String(error));
      res.writeHead(400).end("bad signature");
      return;
    }
    const id = String(req.headers["webhook-id"]);
    if (!this.seen.has(id)) {
      this.seen.add(id);
      this.messages.push({ id, type: verified.type, data: verified.data });
    }
    res.writeHead(204).end();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits until `n` unique messages have arrived (at most `timeoutMs`). */
  async count(n: number, timeoutMs = 15_000): Promise<ReceivedDelivery[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} webhook messages, got ${this.messages.length} (${this.requests} requests)`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.messages;
  }

  dispose(): Promise<void> {
    return close(this.server, Date.now() + 1000);
  }
}
