/**
 * One webhook as a gateway delivers to it while it holds the lease: a subscription session with the
 * registering caller's rights, resumed after the webhook's stored cursor (so what was committed while no
 * gateway delivered is replayed from the alert table), and a delivery loop that sends one message at a
 * time, in sequence order, retrying the head of the queue until the receiver acknowledges it (2xx). Only
 * then does the cursor move on: acknowledged means delivered.
 */
import crypto from "node:crypto";
import { Kind, parse, print } from "graphql";
import { Webhook as Signer } from "standardwebhooks";
import { Caller, callerFromClaims } from "../../caller/claims";
import { OutboundRefused, PostResult } from "../../platform/outbound";
import type { PreparedOperation, SubscriptionEngine } from "../subscriptions/engine";
import type { Session, Sessions } from "../subscriptions/sessions";
import type { Attempt, AttemptRecorded, WebhookAssignment, WebhookStore } from "./identity-client";

export interface RetryOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Longest delay between retries. */
  maxMs: number;
  /** A message failing for this long disables the webhook. */
  giveUpMs: number;
}

/** POSTs a body with headers to a URL, under the gateway's outbound policy; `signal` cuts it. */
export type Post = (url: string, body: string, headers: Record<string, string>, signal: AbortSignal) => Promise<PostResult>;

export interface ReceiverContext {
  /** This gateway's lease holder name. */
  holder: string;
  store: WebhookStore;
  engine: SubscriptionEngine<Caller>;
  sessions: Sessions;
  post: Post;
  retry: RetryOptions;
  /** Alerts queued in memory at most; beyond, the subscription pauses and resumes from the last one queued. */
  maxQueued: number;
  /** Called after each write to the delivery log (the gateway drops its cached answers that read it). */
  recorded(): void;
  /** Called when the receiver stops by itself (lease lost, webhook disabled). */
  onStop(id: string): void;
  logger: Pick<Console, "warn" | "error">;
}

interface Message {
  id: string;
  type: "incident.alert" | "webhook.test";
  /** The alert's cursor; null for a test event. */
  sequence: string | null;
  body: string;
}

export interface Receiver {
  /** Takes the store's newer view of the webhook (test events to send). */
  update(assignment: WebhookAssignment): void;
  /** Stops delivering; resolves when the attempt in flight, if any, is over. */
  stop(): Promise<void>;
}

/** Exponential backoff with jitter: a random delay between half and all of initial × 2^(n-1), capped. */
export function retryDelay(attempt: number, retry: Pick<RetryOptions, "initialMs" | "maxMs">): number {
  const ceiling = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * The stored document with an operation name of its own, so the engine gives this webhook an upstream of
 * its own: joining another subscriber's upstream would start at that upstream's position, not at this
 * webhook's cursor.
 */
function ownOperation(subscription: string, id: string): string {
  const document = parse(subscription);
  const name = `KawalWebhook_${id}_${crypto.randomBytes(4).toString("hex")}`;
  return print({
    ...document,
    definitions: document.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION ? { ...definition, name: { kind: Kind.NAME, value: name } } : definition,
    ),
  });
}

const is2xx = (status: number) => status >= 200 && status < 300;

export function startReceiver(assignment: WebhookAssignment, context: ReceiverContext): Receiver {
  const { holder, store, logger } = context;
  const signer = new Signer(assignment.secret);
  const queue: Message[] = [];
  const seenTests = new Set<string>();
  let lastQueued = assignment.cursor ?? undefined;
  let stopped = false;
  let paused = false;
  let session: Session | undefined;
  /** Cuts the request in flight when the receiver stops, so a stopping gateway does not wait on a slow receiver. */
  const inFlight = new AbortController();
  let wake: (() => void) | undefined;
  /** Waits in progress (a retry's, a re-subscription's), cut short when the receiver stops. */
  const sleeping = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(wakeUp, ms);
      function wakeUp() {
        clearTimeout(timer);
        sleeping.delete(wakeUp);
        resolve();
      }
      sleeping.add(wakeUp);
    });
  const nudge = () => wake?.();

  function enqueue(message: Message): void {
    queue.push(message);
    nudge();
  }

  function enqueueAlert(payload: string, cursor: string | undefined): void {
    if (cursor === undefined) return logger.warn(`webhook ${assignment.id}: an alert without a cursor was skipped`);
    lastQueued = cursor;
    const { data } = JSON.parse(payload) as { data?: unknown };
    const body = JSON.stringify({ type: "incident.alert", timestamp: new Date().toISOString(), data: data ?? null });
    enqueue({ id: `msg_${assignment.id}_${cursor}`, type: "incident.alert", sequence: cursor, body });
    // A receiver far behind: stop listening and pick up from the alert table once the queue is sent.
    if (queue.length >= context.maxQueued && !paused) {
      paused = true;
      closeSession();
    }
  }

  function closeSession(): void {
    session?.close();
    session = undefined;
  }

  /** Ends this receiver for good: the owner sees `reason` when it is a disabling one. */
  async function disable(reason: string): Promise<void> {
    if (stopped) return;
    await recordSafely({ webhookId: assignment.id, messageId: `msg_${assignment.id}_disabled`, eventType: "webhook.disabled", sequence: null, statusCode: null, error: reason, nextRetryAt: null, delivered: false, disableReason: reason });
    halt();
  }

  function halt(): void {
    if (stopped) return;
    stopped = true;
    closeSession();
    for (const wakeUp of [...sleeping]) wakeUp();
    inFlight.abort();
    nudge();
    context.onStop(assignment.id);
  }

  function subscribe(operation: PreparedOperation, caller: Caller): void {
    const opened = context.sessions.open(caller, undefined);
    if (!opened.ok) return void disable(`the subscription could not start: ${opened.reason}`);
    session = opened.session;
    const subscribed = session.subscribe(operation, null, enqueueAlert, lastQueued === undefined ? {} : { after: lastQueued });
    if (!subscribed.ok) return void disable(`the subscription was refused: ${subscribed.errors[0]?.message ?? "no reason given"}`);
    const mine = session;
    void (async () => {
      try {
        for await (const _ of subscribed.stream);
      } catch (error) {
        if (session === mine) return disable(`the subscription failed: ${(error as Error).message}`);
      }
      // Ended without a failure (the upstream completed): listen again, after what is queued.
      if (session === mine && !stopped) {
        closeSession();
        await sleep(context.retry.initialMs);
        if (!stopped && !paused) subscribe(operation, caller);
      }
    })();
  }

  /** A store call retried until it is answered or the receiver stops; null when it stopped. */
  async function recordSafely(attempt: Attempt): Promise<AttemptRecorded | null> {
    for (let failures = 1; ; failures++) {
      try {
        const recorded = await store.record(holder, attempt);
        context.recorded();
        return recorded;
      } catch (error) {
        logger.warn(`webhook ${assignment.id}: the delivery log could not be written (${(error as Error).message}); trying again`);
        if (stopped) return null;
        await sleep(retryDelay(failures, context.retry));
        if (stopped) return null;
      }
    }
  }

  /** The receiver's status, or why there is none; `refused` when the outbound policy forbids the URL's address now. */
  async function post(message: Message): Promise<{ status: number | null; error: string | null; refused?: boolean }> {
    const now = new Date();
    const headers = {
      "webhook-id": message.id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signer.sign(message.id, now, message.body),
      "user-agent": "KawalDamai-Webhooks/1",
    };
    try {
      const { status } = await context.post(assignment.url, message.body, headers, inFlight.signal);
      return { status, error: is2xx(status) ? null : `the receiver answered HTTP ${status}` };
    } catch (error) {
      return { status: null, error: (error as Error).message, refused: error instanceof OutboundRefused };
    }
  }

  /** Sends one message until it is acknowledged; false when the receiver stopped meanwhile. */
  async function deliver(message: Message): Promise<boolean> {
    /** When the message was first tried (by any gateway), from the delivery log. */
    let firstAttemptAt: number | undefined;
    for (let attempt = 1; !stopped; attempt++) {
      const { status, error, refused } = await post(message);
      // Cut by a stop: the next holder of the lease sends it again. An answer that did arrive is still recorded.
      if (stopped && status === null) return false;
      const delivered = status !== null && is2xx(status);
      // A test event is sent once: its result is what the owner wants to see.
      const retried = !delivered && message.type === "incident.alert";
      const failedTooLong = retried && firstAttemptAt !== undefined && Date.now() - firstAttemptAt >= context.retry.giveUpMs;
      // A URL whose host now resolves to a forbidden address (DNS changed since registration) is not tried again.
      const givingUp = failedTooLong || Boolean(refused);
      const delay = retried ? retryDelay(attempt, context.retry) : 0;
      const recorded = await recordSafely({
        webhookId: assignment.id,
        messageId: message.id,
        eventType: message.type,
        sequence: message.sequence,
        statusCode: status,
        error,
        delivered,
        nextRetryAt: retried && !givingUp ? new Date(Date.now() + delay).toISOString() : null,
        disableReason: refused
          ? `the URL is refused: it ${error}`
          : failedTooLong
            ? `deliveries failed for ${Math.round(context.retry.giveUpMs / 60_000)} minutes (last: ${error}); fix the receiver, then enableWebhook`
            : null,
      });
      if (!recorded) return false;
      firstAttemptAt ??= Date.parse(recorded.firstAttemptAt);
      if (!recorded.held) {
        halt();
        return false;
      }
      if (!retried) return true;
      await sleep(delay);
    }
    return false;
  }

  async function loop(operation: PreparedOperation, caller: Caller): Promise<void> {
    while (!stopped) {
      const message = queue[0];
      if (!message) {
        if (paused) {
          paused = false;
          subscribe(operation, caller);
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (!(await deliver(message))) return;
      queue.shift();
    }
  }

  function update(next: WebhookAssignment): void {
    for (const test of next.testEvents) {
      if (seenTests.has(test.messageId)) continue;
      seenTests.add(test.messageId);
      enqueue({ id: test.messageId, type: "webhook.test", sequence: null, body: test.body });
    }
  }

  let running: Promise<void> = Promise.resolve();
  const start = (): void => {
    let caller: Caller;
    let operation: PreparedOperation;
    try {
      caller = callerFromClaims(JSON.parse(assignment.callerClaims) as Record<string, unknown>);
      const prepared = context.engine.prepare(ownOperation(assignment.subscription, assignment.id));
      if (!prepared.ok) return void disable(`the subscription document is no longer valid: ${prepared.errors[0]?.message}`);
      operation = prepared.operation;
    } catch (error) {
      return void disable(`the webhook cannot start: ${(error as Error).message}`);
    }
    update(assignment);
    subscribe(operation, caller);
    running = loop(operation, caller).catch((error: unknown) => logger.error(`webhook ${assignment.id}: delivery loop failed`, error));
  };
  start();

  return {
    update,
    async stop() {
      halt();
      await running;
    },
  };
}
