/**
 * The subscription policies composed once per client connection, whatever transport carries it (graphql-ws
 * over WebSocket, SSE, multipart HTTP), so that every transport applies
 * the same rules in the same order:
 *   open:      the caller's connection quota, then a watch on its token's expiry;
 *   subscribe: refused once the token has expired, then the access rule, then the subscription quota; the
 *              engine's subscription becomes a stream that gives all of it back, once, however it ends;
 *   close:     ends what is still streaming and gives the connection back.
 * What stays with the transport: reading the credential, framing and writing payloads, closing with its codes.
 */
import { GraphQLError } from "graphql";
import type { Caller, MaybeCaller } from "../../caller/claims";
import { AsyncQueue } from "../../platform/async-queue";
import type { DocumentResolver, OperationSource } from "../trusted-documents";
import type { PreparedOperation, SubscribeOptions, SubscriptionEngine } from "./engine";
import { authorizeSubscription, SubscriptionAuthorizer } from "./policies/authorize";
import { tokenExpired, watchExpiry } from "./policies/expiry";
import { createQuotas, quotaKey, Quotas } from "./policies/quotas";
import { describedError } from "../../platform/errors";
import { Message, message } from "../../platform/i18n";

export interface SessionOptions {
  /** The engine, scoped by the gateway's callers. Required. */
  engine: SubscriptionEngine<Caller>;
  /** Who may subscribe to what: the gateway's domain rule (e.g. alertSubscriptionPolicy). Required. */
  authorize: SubscriptionAuthorizer;
  /**
   * Per-caller limits. Pass the same instance to every transport so a caller's connections count together.
   * Default: createQuotas() (20 connections and 50 subscriptions per caller).
   */
  quotas?: Quotas;
  /** The document a request runs (a partner app's trusted documents, gateway/trusted-documents.ts). Default: the text sent. */
  resolveDocument?: DocumentResolver;
}

/**
 * One client subscription as its transport iterates it: it never yields (payloads go to `deliver`), and it
 * ends, with an error when the subscription failed or the token expired, when the engine, the session or
 * the client (`return()`) ends it.
 */
export type SessionStream = AsyncQueue<never>;

/** Where a subscription's payloads go: the engine's shared string and the event's cursor. */
export type Deliver = (payload: string, cursor?: string) => void;

export type Opened = { ok: true; session: Session } | { ok: false; reason: Message };
export type Documented = { ok: true; query: string } | { ok: false; errors: readonly GraphQLError[] };
export type Subscribed = { ok: true; stream: SessionStream } | { ok: false; errors: readonly GraphQLError[] };

export interface Session {
  readonly caller: MaybeCaller;
  /** Why the session acts no more (its token expired), for any operation; undefined while it may act. */
  refusal(): GraphQLError | undefined;
  /** The text to prepare for a request: the trusted document it names, the text it carries, or why none runs. */
  document(source: OperationSource): Promise<Documented>;
  /**
   * Starts a subscription whose payloads (the engine's shared strings) go to `deliver`, each with its
   * resume cursor when the subscription tracks one.
   */
  subscribe(operation: PreparedOperation, variables: Record<string, unknown> | null | undefined, deliver: Deliver, options?: SubscribeOptions): Subscribed;
  /** Ends the session's streams and gives its connection back; idempotent. */
  close(): void;
}

export interface Sessions {
  /** A session for `caller`, or why it is refused (the caller holds too many connections). `address` keys the public's quota. */
  open(caller: MaybeCaller, address: string | undefined): Opened;
  /** Subscriptions streaming over all sessions. */
  streams(): number;
}

export function createSessions(options: SessionOptions): Sessions {
  const { engine, authorize } = options;
  const quotas = options.quotas ?? createQuotas();
  let streaming = 0;

  function open(caller: MaybeCaller, address: string | undefined): Opened {
    const key = quotaKey(caller, address);
    const connection = quotas.acquireConnection(key);
    if (!connection.ok) return { ok: false, reason: connection.refusal };
    const streams = new Set<SessionStream>();
    const expiry = watchExpiry(caller?.exp, () => {
      for (const stream of [...streams]) stream.fail(tokenExpired());
    });
    let closed = false;

    function subscribe(operation: PreparedOperation, variables: Record<string, unknown> | null | undefined, deliver: Deliver, options?: SubscribeOptions): Subscribed {
      const refusal = session.refusal();
      if (refusal) return { ok: false, errors: [refusal] };
      const authorized = authorizeSubscription(authorize, caller, operation);
      if (!authorized.ok) return { ok: false, errors: [authorized.error] };
      const lease = quotas.acquireSubscription(key);
      if (!lease.ok) return { ok: false, errors: [lease.refusal] };
      let leave: (() => void) | undefined;
      const stream: SessionStream = new AsyncQueue<never>({
        onEnd() {
          streams.delete(stream);
          streaming--;
          lease.release();
          leave?.();
        },
      });
      streams.add(stream);
      streaming++;
      const started = engine.subscribe(operation, variables, authorized.caller, {
        next: (payload, cursor) => {
          if (!stream.ended) deliver(payload, cursor);
        },
        error: (errors) => stream.fail(errors[0] ? new GraphQLError(errors[0].message, { extensions: errors[0].extensions }) : describedError(message("subscription.failed"))),
        complete: () => stream.end(),
      }, options);
      if (started.errors) {
        stream.end();
        return { ok: false, errors: started.errors };
      }
      leave = started.dispose;
      if (stream.ended) leave?.();
      return { ok: true, stream };
    }

    const session: Session = {
      caller,
      refusal: () => (expiry.expired ? tokenExpired() : undefined),
      async document(source) {
        const resolved = options.resolveDocument ? await options.resolveDocument(caller, source) : { ok: true as const, query: undefined };
        if (!resolved.ok) return { ok: false, errors: [resolved.error] };
        return { ok: true, query: resolved.query ?? source.query ?? "" };
      },
      subscribe,
      close() {
        if (closed) return;
        closed = true;
        expiry.dispose();
        for (const stream of [...streams]) stream.end();
        connection.release();
      },
    };
    return { ok: true, session };
  }

  return { open, streams: () => streaming };
}
