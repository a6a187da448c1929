import { Client, createClient } from "graphql-ws";
import WebSocket from "ws";

/** An alert as the tests select it. */
export interface ReceivedAlert {
  sequence: string;
  kind: string;
  report: { title: string; category: string; region: { code: string }; reporter: { name: string } | null; candidatePair: { ballotNumber: number } | null; event: { title: string } | null };
}

export const ALERTS = `subscription ($filter: AlertFilter, $after: String) {
  incidentAlerts(filter: $filter, after: $after) {
    sequence kind
    report { title category region { code } reporter { name } candidatePair { ballotNumber } event { title } }
  }
}`;

/** A graphql-ws client of the gateway, as an agency app opens it. */
export function alertClient(httpUrl: string, token: string | null, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

/** A subscribing client as the collector uses it: graphql-ws's and graphql-sse's clients both are one. */
export interface AlertSource {
  subscribe(
    request: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> },
    sink: { next(value: { data?: { incidentAlerts: ReceivedAlert } | null; errors?: readonly unknown[] }): void; error(error: unknown): void; complete(): void },
  ): () => void;
}

/** Collects what one subscription receives; `next(n)` waits until n alerts have arrived. */
export class AlertCollector {
  readonly alerts: ReceivedAlert[] = [];
  /** When each alert arrived (Date.now()), index for index with `alerts`. */
  readonly receivedAt: number[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  private waiters: Array<() => void> = [];
  readonly unsubscribe: () => void;

  /** `extensions` names a persisted or trusted document (then `query` may be ""). */
  constructor(client: AlertSource, variables: Record<string, unknown> = {}, query = ALERTS, extensions?: Record<string, unknown>) {
    this.unsubscribe = client.subscribe(
      { query, variables, ...(extensions ? { extensions } : {}) },
      {
        next: (value) => {
          if (value.errors) this.errors.push(...value.errors);
          if (value.data) {
            this.alerts.push(value.data.incidentAlerts);
            this.receivedAt.push(Date.now());
          }
          this.wake();
        },
        error: (error) => {
          this.errors.push(error);
          this.wake();
        },
        complete: () => {
          this.completed = true;
          this.wake();
        },
      },
    );
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once `count` alerts (or an error, or the end) arrived; rejects after `ms`. */
  async until(predicate: (collector: AlertCollector) => boolean, ms = 10_000, what = "alerts"): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}: got ${this.alerts.length} alerts, errors ${JSON.stringify(this.errors)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(n: number, ms?: number): Promise<void> {
    return this.until((collector) => collector.alerts.length >= n, ms, `${n} alerts`);
  }

  failed(ms?: number): Promise<void> {
    return this.until((collector) => collector.errors.length > 0 || collector.completed, ms, "an error");
  }
}

/** Waits until the gateway holds `subscribers` subscribers (the subscriptions are live), then for the upstream subscribe. */
export async function subscribersSettled(stats: () => { subscribers: number }, subscribers: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (stats().subscribers < subscribers) {
    if (Date.now() > deadline) throw new Error(`${stats().subscribers} of ${subscribers} subscriptions reached the gateway`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 100)); // the upstream subscribe crosses one more socket
}
