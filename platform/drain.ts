import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

/*
 * Graceful drain of an HTTP server, for the gateway and the subgraphs alike. Once draining, requests already
 * being served (a report halfway through its upload included) run to the end, their responses closing the
 * connection so the client's next request opens a new one, to another replica if there is one; a new request
 * is refused at once with 503 and `Retry-After`, never started, so a client may send it again as it is. The
 * server itself is closed by its owner once the drain is over (http.ts `close`).
 */

/** extensions.code of a request refused because the process is stopping. */
export const SHUTTING_DOWN = "SHUTTING_DOWN";

export interface HttpDrainOptions {
  /**
   * Seconds a refused client is asked to wait before sending the request again (`Retry-After`): about the
   * time a restarted process takes to answer.
   * @default 5
   */
  retryAfterSeconds?: number;
}

export interface HttpDrain {
  /** The handler, wrapped to count requests in flight and refuse new ones while draining: give it to http.createServer. */
  readonly listener: RequestListener;
  /** True once `drain` was called. */
  readonly draining: boolean;
  /** Requests being served now. */
  inFlight(): number;
  /**
   * Refuses every new request from now on, and resolves once no request is in flight (true), or at
   * `deadline`, a Date.now() time (false: some are still running; closing the server cuts them).
   */
  drain(deadline: number): Promise<boolean>;
}

function refuse(req: IncomingMessage, res: ServerResponse, retryAfterSeconds: number): void {
  const body = JSON.stringify({
    errors: [
      {
        message: `the server is shutting down and did not run this request; send it again in ${retryAfterSeconds} s`,
        extensions: { code: SHUTTING_DOWN, retryAfterSeconds },
      },
    ],
  });
  req.resume(); // whatever of the body still arrives is not read
  res.writeHead(503, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "retry-after": String(retryAfterSeconds),
    connection: "close",
  });
  res.end(body);
}

export function createHttpDrain(handler: RequestListener, options: HttpDrainOptions = {}): HttpDrain {
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  /** Drains waiting for the last request in flight to end. */
  const waiters = new Set<() => void>();

  const listener: RequestListener = (req, res) => {
    if (draining) return refuse(req, res, retryAfterSeconds);
    inFlight.add(res);
    // "close" comes once the response is sent or the connection is gone, whichever is first.
    res.once("close", () => {
      inFlight.delete(res);
      if (inFlight.size === 0) for (const wake of waiters) wake();
    });
    handler(req, res);
  };

  return {
    listener,
    get draining() {
      return draining;
    },
    inFlight: () => inFlight.size,
    drain(deadline) {
      draining = true;
      // Responses not started yet end their connection: a kept-alive one would only meet a refusal next.
      for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
      if (inFlight.size === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const settle = (none: boolean) => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(none);
        };
        const wake = () => settle(true);
        const timer = setTimeout(() => settle(false), Math.max(0, deadline - Date.now()));
        waiters.add(wake);
      });
    },
  };
}
