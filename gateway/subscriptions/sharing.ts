/**
 * Sharing: one upstream subscription per sharing key, reference counted by its subscribers. Each accepted
 * event is rendered once (hydrated and serialized) and the same payload goes to every subscriber, in the
 * upstream's order.
 *
 * Resume: a shared upstream remembers the last cursor it accepted. When the link drops it re-subscribes,
 * with backoff, with the resume argument set to that cursor, while its subscribers stay subscribed; events
 * at or before that cursor are dropped, so a subgraph that replays one too many does not duplicate.
 */
import type { GraphQLFormattedError } from "graphql";
import type { Disclosure } from "../../caller/disclosures";
import { UpstreamConnector, UpstreamError, UpstreamRequest, UpstreamResult } from "./connector";
import { CursorOptions, cursorOf, initialCursor, UpstreamOperation } from "./cursor";
import { histogram } from "../../platform/metrics";
import { withSpan } from "../../platform/tracing";

/** One client subscription's receiver. Calls stop after error or complete. */
export interface SubscriberSink {
  /**
   * A serialized `ExecutionResult` (`{"data":...,"errors":[...]}`): the very same string instance for every
   * subscriber of a shared upstream, so a transport only wraps it in its frame. Called synchronously for
   * each subscriber in turn: a transport that cannot keep up must buffer, drop or end its subscription
   * itself, and a sink that throws is logged and skipped for that event only. `cursor` is the event's
   * resume cursor (what `after` takes), when the subscription tracks one; `disclosed`, the reports whose
   * reporter the payload holds (caller/disclosures.ts), for the engine to audit per subscriber.
   */
  next(payload: string, cursor?: string, disclosed?: readonly Disclosure[]): void;
  /** The subscription failed for good (the subgraph refused it); no more calls follow. */
  error(errors: readonly GraphQLFormattedError[]): void;
  /** The upstream ended the stream; no more calls follow. */
  complete(): void;
}

export interface BackoffOptions {
  /** First re-subscribe delay after a drop. Default 100 ms. */
  initialMs: number;
  /** Longest delay between attempts. Default 5,000 ms. */
  maxMs: number;
  /** Growth per failed attempt. Default 2. */
  factor: number;
}

/** What a shared upstream subscribes to, as whom, and how it renders an event; given by its first subscriber. */
export interface Feed<Scope> {
  readonly operation: UpstreamOperation;
  /** The first subscriber's coerced variables (the same for all: they are part of the key). */
  readonly variables: Record<string, unknown>;
  /** Whom the upstream acts for. */
  readonly scope: Scope;
  /** The payload of an event for every subscriber, with what it discloses; never rejects. */
  render(event: UpstreamResult): Promise<Rendered>;
}

/** An event as every subscriber of a shared upstream receives it. */
export interface Rendered {
  /** The serialized ExecutionResult. */
  payload: string;
  /** Reports whose reporter the payload holds. */
  disclosed: readonly Disclosure[];
}

export interface SharingOptions<Scope> {
  upstream: UpstreamConnector<Scope>;
  /** How cursors compare, and the head lookup; undefined when resume is off. */
  cursor: Pick<CursorOptions<Scope>, "compare" | "head"> | undefined;
  backoff: BackoffOptions;
  logger: Pick<Console, "warn" | "error">;
}

export interface SharingStats {
  /** Subscribers of open upstreams. */
  subscribers: number;
  /** Open upstreams. */
  upstreams: number;
  /** Upstream subscribe calls made, re-subscriptions included. */
  upstreamsOpened: number;
  /** Re-subscriptions after an upstream drop. */
  resubscribes: number;
  /** Events received from upstreams. */
  eventsReceived: number;
  /** Events dropped because their cursor was not after the last one seen (replay overlap). */
  duplicatesSkipped: number;
  /** Events rendered: one per accepted event, whatever the number of subscribers. */
  hydrations: number;
  /** Payloads handed to subscriber sinks. */
  deliveries: number;
}

export interface Sharing<Scope> {
  /**
   * Adds `sink` to the upstream of `key`, opening one from `feed()` when none may be joined. Returns the
   * function that leaves it (idempotent); the upstream closes when its last subscriber leaves.
   */
  join(key: string, sink: SubscriberSink, feed: () => Feed<Scope>): () => void;
  stats(): SharingStats;
  /** Closes every upstream without notifying subscribers. */
  close(): void;
}

/** JSON with sorted object keys, so {a,b} and {b,a} share an upstream. */
function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
}

/** Subscriptions share an upstream when document, variables and scope key are all the same. */
export function sharingKey(canonicalDocument: string, variables: Record<string, unknown>, scopeKey: string): string {
  return `${canonicalDocument}\u0000${stableStringify(variables)}\u0000${scopeKey}`;
}

type Counters = Omit<SharingStats, "subscribers" | "upstreams">;

/** Time from an event's commit in its subgraph (extensions.eventTime) to its hand-over to subscribers. */
const deliveryLag = histogram({
  name: "kawal_gateway_alert_delivery_lag_seconds",
  help: "Time from an alert's commit to its fan-out to subscribers (replayed alerts count with their age)",
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});

/** What a shared upstream needs of the collection it belongs to. */
interface Registry<Scope> {
  readonly options: SharingOptions<Scope>;
  readonly counters: Counters;
  /** New subscribers no longer join this upstream. */
  unjoinable(shared: SharedUpstream<Scope>): void;
  closed(shared: SharedUpstream<Scope>): void;
}

class SharedUpstream<Scope> {
  readonly subscribers = new Set<SubscriberSink>();
  /** Last cursor accepted; starts at the client's, so a replay that overlaps it is trimmed. */
  private lastCursor: string | undefined;
  /** The client asked to resume from a cursor: once an event went out, a late joiner would miss the replay. */
  private readonly explicitCursor: boolean;
  private delivered = false;
  private attempt = 0;
  /** Bumped whenever the upstream is dropped: callbacks of an earlier subscribe must not touch a later one. */
  private generation = 0;
  private stopUpstream: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Keeps deliveries in upstream order although rendering is asynchronous. */
  private chain: Promise<void> = Promise.resolve();
  private isClosed = false;
  private readonly request: Omit<UpstreamRequest<Scope>, "variables">;
  private readonly upstreamVariables: Record<string, unknown> = {};

  constructor(
    readonly key: string,
    private readonly feed: Feed<Scope>,
    private readonly registry: Registry<Scope>,
  ) {
    const { operation, variables } = feed;
    this.request = { serviceName: operation.serviceName, query: operation.query, operationName: operation.operationName, scope: feed.scope };
    for (const name of operation.variableUsages) if (name in variables) this.upstreamVariables[name] = variables[name];
    const initial = initialCursor(operation, variables);
    if (operation.resume && initial !== undefined) this.upstreamVariables[operation.resume.variable] = initial;
    if (typeof initial === "string") this.lastCursor = initial;
    this.explicitCursor = initial !== undefined && initial !== null;
  }

  /** Reads the newest cursor before the first subscribe, when the subscription has none yet. */
  async start(): Promise<void> {
    const head = this.registry.options.cursor?.head;
    if (this.feed.operation.resume && this.lastCursor === undefined && head) {
      const cursor = await head(this.feed.operation.serviceName, this.feed.scope).catch(() => undefined);
      if (cursor !== undefined && this.lastCursor === undefined) this.lastCursor = cursor;
    }
    this.open();
  }

  private open(): void {
    if (this.isClosed) return;
    const generation = ++this.generation;
    const variables = { ...this.upstreamVariables };
    const resume = this.feed.operation.resume;
    if (resume && this.lastCursor !== undefined) variables[resume.variable] = this.lastCursor;
    this.registry.counters.upstreamsOpened++;
    const live = () => generation === this.generation && !this.isClosed;
    try {
      this.stopUpstream = this.registry.options.upstream.subscribe(
        { ...this.request, variables },
        {
          next: (result) => live() && this.onEvent(result),
          error: (error) => live() && this.onError(error),
          complete: () => live() && this.finish((sink) => sink.complete()),
        },
      );
    } catch (error) {
      this.onError(new UpstreamError(String(error), true));
    }
  }

  private onEvent(event: UpstreamResult): void {
    const { counters, options } = this.registry;
    counters.eventsReceived++;
    this.attempt = 0; // the link works again: the next drop starts the backoff from the beginning
    const compare = options.cursor?.compare;
    const cursor = cursorOf(this.feed.operation, event);
    if (compare && cursor !== undefined) {
      if (this.lastCursor !== undefined && compare(cursor, this.lastCursor) <= 0) {
        counters.duplicatesSkipped++;
        return;
      }
      this.lastCursor = cursor;
    }
    if (!this.delivered) {
      this.delivered = true;
      if (this.explicitCursor) this.registry.unjoinable(this);
    }
    this.chain = this.chain.then(() => this.deliver(event, cursor));
  }

  private async deliver(event: UpstreamResult, cursor: string | undefined): Promise<void> {
    if (this.isClosed) return;
    const { counters } = this.registry;
    counters.hydrations++;
    await withSpan("alert fan-out", { "kawal.subscribers": this.subscribers.size }, async () => {
      const { payload, disclosed } = await this.feed.render(event);
      this.forEach((sink) => {
        counters.deliveries++;
        sink.next(payload, cursor, disclosed);
      });
    });
    const eventTime = event.extensions?.eventTime;
    if (typeof eventTime === "string" && this.subscribers.size > 0) deliveryLag.observe(Math.max(0, Date.now() - Date.parse(eventTime)) / 1000);
  }

  private onError(error: UpstreamError): void {
    if (!error.retryable) {
      const errors = error.errors && error.errors.length > 0 ? error.errors : [{ message: error.message, extensions: { code: "SUBGRAPH_REFUSED" } }];
      this.finish((sink) => sink.error(errors));
      return;
    }
    // Subscribers stay subscribed; the upstream comes back from the last cursor.
    this.stopUpstream = undefined;
    this.generation++;
    const { initialMs, maxMs, factor } = this.registry.options.backoff;
    const delay = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt++;
    const jittered = delay / 2 + Math.random() * (delay / 2); // spreads a subgraph restart's reconnect storm
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.registry.counters.resubscribes++;
      this.open();
    }, jittered);
    this.retryTimer.unref?.();
  }

  private forEach(fn: (sink: SubscriberSink) => void): void {
    for (const sink of [...this.subscribers]) {
      try {
        fn(sink);
      } catch (error) {
        this.registry.options.logger.error("subscriber sink threw:", error);
      }
    }
  }

  /** Ends the upstream after the pending deliveries, then tells every subscriber with `notify`. */
  private finish(notify: (sink: SubscriberSink) => void): void {
    this.stopUpstream = undefined;
    this.generation++;
    this.registry.unjoinable(this);
    this.chain = this.chain.then(() => {
      if (this.isClosed) return;
      this.forEach(notify);
      this.close();
    });
  }

  leave(sink: SubscriberSink): void {
    if (this.subscribers.delete(sink) && this.subscribers.size === 0) this.close();
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.subscribers.clear();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const stop = this.stopUpstream;
    this.stopUpstream = undefined;
    this.generation++;
    this.registry.closed(this);
    try {
      stop?.();
    } catch (error) {
      this.registry.options.logger.warn(`closing an upstream subscription failed: ${String(error)}`);
    }
  }
}

export function createSharing<Scope>(options: SharingOptions<Scope>): Sharing<Scope> {
  /** Upstreams a new subscriber may join, by sharing key. */
  const joinable = new Map<string, SharedUpstream<Scope>>();
  /** Every open upstream, joinable or not. */
  const open = new Set<SharedUpstream<Scope>>();
  const unjoinable = (shared: SharedUpstream<Scope>) => {
    if (joinable.get(shared.key) === shared) joinable.delete(shared.key);
  };
  const registry: Registry<Scope> = {
    options,
    counters: { upstreamsOpened: 0, resubscribes: 0, eventsReceived: 0, duplicatesSkipped: 0, hydrations: 0, deliveries: 0 },
    unjoinable,
    closed(shared) {
      unjoinable(shared);
      open.delete(shared);
    },
  };

  return {
    join(key, sink, feed) {
      let shared = joinable.get(key);
      const opening = !shared;
      if (!shared) {
        shared = new SharedUpstream(key, feed(), registry);
        joinable.set(key, shared);
        open.add(shared);
      }
      shared.subscribers.add(sink);
      if (opening) void shared.start();
      const owner = shared;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        owner.leave(sink);
      };
    },
    stats() {
      let subscribers = 0;
      for (const shared of open) subscribers += shared.subscribers.size;
      return { subscribers, upstreams: open.size, ...registry.counters };
    },
    close() {
      for (const shared of [...open]) shared.close();
    },
  };
}
