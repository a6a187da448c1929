/**
 * The webhook dispatcher: one more consumer of the gateway's subscription engine. Every few seconds it asks
 * the identity subgraph for the webhooks it may deliver to (renewing its leases, taking free or expired
 * ones: at most one gateway delivers to a webhook at a time) and keeps one receiver per webhook held.
 * A gateway that stops gives its leases back; one that dies loses them when they expire, and another
 * gateway resumes each webhook from its stored cursor.
 */
import crypto from "node:crypto";
import os from "node:os";
import type { Caller } from "../../caller/claims";
import { postJson } from "../../platform/outbound";
import { alertSubscriptionPolicy } from "../subscriptions/alert-access";
import type { SubscriptionEngine } from "../subscriptions/engine";
import { createQuotas } from "../subscriptions/policies/quotas";
import { createSessions } from "../subscriptions/sessions";
import type { WebhookStore } from "./identity-client";
import { Post, Receiver, RetryOptions, startReceiver } from "./receiver";
import { consoleOf, logger as hubLogger } from "../../platform/logging";

export interface WebhookDispatcherOptions {
  /** The gateway's subscription engine. Required. */
  engine: SubscriptionEngine<Caller>;
  /** Where webhooks, leases and the delivery log are stored (identityWebhookStore). Required. */
  store: WebhookStore;
  /** Production: post only over https to public addresses. Required. */
  production: boolean;
  /** How long a lease lasts; it is renewed every third of it. Default 30 s. */
  leaseSeconds?: number;
  /** Retry schedule. Default: first retry after 5 s, doubling up to 1 h, disabled after failing for 24 h. */
  retry?: Partial<RetryOptions>;
  /** Longest wait for a receiver's connection. Default 5,000 ms. */
  connectTimeoutMs?: number;
  /** Longest wait for a receiver's whole answer. Default 10,000 ms. */
  timeoutMs?: number;
  /** Alerts queued in memory per webhook before its subscription pauses. Default 1,000. */
  maxQueued?: number;
  /** Sends a delivery. Default: postJson under the production policy and the timeouts above (bounded read of 4 KiB). */
  post?: Post;
  /**
   * Called after each write to the webhook store, which goes around the gateway's own write path: the
   * gateway drops cached answers that read the identity subgraph (the owners' delivery logs). Default none.
   */
  onStoreWrite?: () => void;
  /** Where warnings go. Default: the hub's logger (platform/logging.ts), component "webhooks". */
  logger?: Pick<Console, "warn" | "error">;
}

export interface WebhookDispatcher {
  /** This gateway's name on the leases. */
  readonly holder: string;
  /** Webhooks this gateway delivers to now. */
  held(): number;
  /** Stops the receivers and gives the leases back. */
  dispose(): Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { initialMs: 5000, maxMs: 3_600_000, giveUpMs: 24 * 3_600_000 };

export function startWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const logger = options.logger ?? consoleOf(hubLogger("webhooks"));
  const leaseSeconds = options.leaseSeconds ?? 30;
  const holder = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const post: Post =
    options.post ??
    ((url, body, headers, signal) =>
      postJson(url, body, { policy: { production: options.production }, headers, connectTimeoutMs: options.connectTimeoutMs, totalTimeoutMs: options.timeoutMs, signal }));
  // The dispatcher's sessions count apart from clients' connections: a partner's webhooks never use up its live quota.
  const sessions = createSessions({
    engine: options.engine,
    authorize: alertSubscriptionPolicy,
    quotas: createQuotas({ maxConnectionsPerCaller: 1_000_000, maxSubscriptionsPerCaller: 1_000_000 }),
  });
  const receivers = new Map<string, Receiver>();
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;
  let lastClaimed = Date.now();
  /** Whether deliveries stopped for want of leases: an outage is logged once, not at every poll. */
  let failing = false;
  const context = { holder, store: options.store, engine: options.engine, sessions, post, retry, maxQueued: options.maxQueued ?? 1000, logger, recorded: options.onStoreWrite ?? (() => undefined), onStop: (id: string) => receivers.delete(id) };

  async function stopAll(): Promise<void> {
    const all = [...receivers.values()];
    receivers.clear();
    await Promise.all(all.map((receiver) => receiver.stop()));
  }

  async function poll(): Promise<void> {
    try {
      const assignments = await options.store.claim(holder, leaseSeconds);
      lastClaimed = Date.now();
      failing = false;
      if (disposed) return;
      const held = new Set(assignments.map((assignment) => assignment.id));
      for (const [id, receiver] of receivers) if (!held.has(id)) void receiver.stop();
      for (const assignment of assignments) {
        const receiver = receivers.get(assignment.id);
        if (receiver) receiver.update(assignment);
        else receivers.set(assignment.id, startReceiver(assignment, context));
      }
    } catch (error) {
      // Past the lease, another gateway may deliver: stop before two do. Said once per outage, and only then: a
      // short one (a subgraph restarting) costs nothing.
      if (Date.now() - lastClaimed >= leaseSeconds * 1000) {
        if (!failing) logger.warn(`webhooks: the identity subgraph has not renewed this gateway's leases for ${leaseSeconds} s (${(error as Error).message}); deliveries wait until it answers`);
        failing = true;
        await stopAll();
      }
    }
  }

  /** The poll in progress: a stop waits for it, or a claim answered after the release would take the leases again. */
  let polling: Promise<void> = poll();
  const schedule = () => {
    if (disposed) return;
    timer = setTimeout(() => {
      polling = poll();
      void polling.finally(schedule);
    }, (leaseSeconds * 1000) / 3);
  };
  void polling.finally(schedule);

  return {
    holder,
    held: () => receivers.size,
    async dispose() {
      disposed = true;
      clearTimeout(timer);
      await polling;
      await stopAll();
      // Unanswered when the identity subgraph is down too (a whole hub stopping): the leases then expire by themselves.
      await options.store.release(holder).catch(() => undefined);
    },
  };
}
