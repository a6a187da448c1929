/**
 * The graphql-ws transport of the subscription engine: a thin adapter, as graphql-ws's own `use/ws` is.
 * graphql-ws (`useServer` over a `ws` WebSocketServer on the gateway's http server) runs the protocol:
 * connection_init, subscribe/complete, ping/pong messages. This file adds what is Kawal Damai's:
 *
 * - identity: the token comes in the connection_init payload (`authorization: "Bearer ..."`) and is checked
 *   with the gateway's TokenVerifier; a bad one closes the socket with 4403 and says why. No token is the
 *   public: it may connect, and subscribing tells it to sign in.
 * - access: each subscribe is authorized (default: AGENCY, or INTEGRATOR with scope subscribe:alerts);
 *   a refusal is a GraphQL `error` message for that operation, the socket stays open.
 * - token expiry: when `exp` passes, the connection's subscriptions end with an error saying the token
 *   expired; later subscribes on that socket are refused the same way (reconnect with a fresh token).
 * - serialize once: engine payloads are already JSON; `next` frames are written straight to the socket as
 *   `{"id":…,"type":"next","payload":<the shared string>}` instead of letting graphql-ws re-stringify the
 *   result per client. graphql-ws still owns the subscription's lifecycle (complete/error/return()).
 * - queries and mutations over the socket run through `executeOperation` when given (the HTTP gateway's
 *   Apollo Server, same plans and rules), otherwise they are refused with a message pointing at HTTP.
 * - keep-alive both ways: graphql-ws answers client `ping` messages; the server pings every socket at the
 *   WebSocket level and terminates one that does not pong before the next ping.
 * - `dispose()` closes every socket with 1001 (Going Away) so clients reconnect, to another replica, and
 *   resume with `after`.
 */
import type http from "node:http";
import { ExecutionArgs, GraphQLError, GraphQLFormattedError } from "graphql";
import { CloseCode, Context, SubscribePayload } from "graphql-ws";
import { Extra, useServer } from "graphql-ws/use/ws";
import WebSocket, { WebSocketServer } from "ws";
import { Caller, MaybeCaller } from "../../caller/claims";
import { ALERT_SUBSCRIBERS, describeRules, passesRules } from "../../caller/access";
import { forbidden, unauthenticated } from "../../platform/errors";
import { TokenError, TokenVerifier } from "../auth";
import type { PreparedOperation, SubscriberSink, SubscriptionEngine } from "./engine";

/** A query or mutation sent over the socket, as the executor receives it. */
export interface WsOperationRequest {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

/** Result of a query or mutation run for the socket; errors may be formatted (plain objects). */
export interface WsOperationResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

/** Refuses an operation with a GraphQL error, or lets it through with null. */
export type SubscriptionAuthorizer = (caller: MaybeCaller, operation: PreparedOperation) => GraphQLError | null;

export interface WsAdapterOptions {
  engine: SubscriptionEngine;
  /** Verifies the connection_init `authorization` value (same verifier as HTTP). */
  verifier: TokenVerifier;
  /** Path of the WebSocket endpoint on the http server. Default "/graphql" (the HTTP endpoint's path). */
  path?: string;
  /** WebSocket-level ping interval; a socket silent for a whole interval after a ping is terminated. Default 12,000 ms. */
  keepAliveMs?: number;
  /** How long a client may take to send connection_init before 4408. Default 3,000 ms. */
  connectionInitWaitTimeoutMs?: number;
  /** Who may subscribe to what. Default `alertSubscriptionPolicy`. */
  authorize?: SubscriptionAuthorizer;
  /**
   * Runs queries and mutations sent over the socket. Default: none, and they are refused with an error
   * that points at HTTP POST /graphql (the gateway's HTTP endpoint is where they are meant to go).
   */
  executeOperation?: (request: WsOperationRequest, caller: MaybeCaller) => Promise<WsOperationResult>;
  /**
   * A client whose socket holds more unsent bytes than this is too slow to keep up: it is closed with 1013
   * (try again later) so it reconnects and resumes with `after`, instead of growing gateway memory. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /** Largest message accepted from a client; a larger one closes the socket with 1009. Default 64 KiB. */
  maxPayloadBytes?: number;
  /**
   * Browser origins allowed to open a socket (cross-site WebSocket hijacking); a handshake with another
   * `Origin` is refused with 403. Apps that send no `Origin` (native and server clients) are let in.
   * Default: any origin.
   */
  allowedOrigins?: readonly string[];
  /** Open sockets per caller (token subject, else client address); one more is closed with 4429. Default 20. */
  maxConnectionsPerCaller?: number;
  /** Open subscriptions per caller over all its sockets; one more gets an error for that operation. Default 50. */
  maxSubscriptionsPerCaller?: number;
  /** Hide internal error details in close reasons. Default NODE_ENV === "production". */
  isProd?: boolean;
}

export interface WsAdapterStats {
  /** Open WebSocket connections. */
  connections: number;
  /** Client subscriptions currently streaming. */
  streams: number;
}

export interface WsAdapter {
  stats(): WsAdapterStats;
  /** Closes every socket with 1001 and stops accepting upgrades; the http server itself stays up. */
  dispose(): Promise<void>;
}

/** The default rule of Subscription.incidentAlerts: AGENCY, or INTEGRATOR with scope subscribe:alerts. */
export const alertSubscriptionPolicy: SubscriptionAuthorizer = (caller, operation) => {
  if (operation.kind !== "subscription") return null;
  const what = `Subscription.${operation.rootFields[0] ?? "?"}`;
  const allowed = describeRules(ALERT_SUBSCRIBERS);
  if (!caller) return unauthenticated(`${what} needs a bearer token (${allowed}): send it as "authorization" in connection_init`);
  if (passesRules(caller, ALERT_SUBSCRIBERS)) return null;
  return forbidden(`${what} is for ${allowed}; your token is ${caller.role}${caller.role === "INTEGRATOR" ? " without subscribe:alerts" : ""}`);
};

function tokenExpired(): GraphQLError {
  return new GraphQLError("the token has expired; sign in again, reconnect, and subscribe with `after` set to the last sequence you received", {
    extensions: { code: "UNAUTHENTICATED", reason: "TOKEN_EXPIRED" },
  });
}

/** WebSocket close reasons are at most 123 bytes. */
function closeReason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : Buffer.from(text).subarray(0, 120).toString("utf8") + "...";
}

/** setTimeout overflows above 2^31-1 ms (24.8 days); long-lived tokens re-arm. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** What one caller holds open, over all its sockets. */
interface CallerUsage {
  connections: number;
  streams: number;
}

/** Per connection. Kept in graphql-ws's `ctx.extra`. */
interface ConnectionState {
  caller: MaybeCaller;
  usage: CallerUsage;
  usageKey: string;
  expired: boolean;
  expiryTimer?: NodeJS.Timeout;
  streams: Set<ClientStream>;
}

type AdapterExtra = { state?: ConnectionState };
type AdapterContext = Context<Record<string, unknown>, Extra & Partial<AdapterExtra>>;

/** What onSubscribe hands to graphql-ws's execute/subscribe hooks. */
type OperationValue =
  | { kind: "stream"; stream: ClientStream }
  | { kind: "execute"; request: WsOperationRequest; caller: MaybeCaller };

/**
 * The frame of the event being broadcast, encoded once per subscription id and written as the same bytes
 * to every socket: at 10,000 subscribers, encoding per socket costs more than the writes.
 */
const broadcast = { payload: "", frames: new Map<string, Buffer>() };

function encodedFrame(prefix: string, payload: string): Buffer {
  if (broadcast.payload !== payload) {
    broadcast.payload = payload;
    broadcast.frames.clear();
  }
  let frame = broadcast.frames.get(prefix);
  if (!frame) {
    frame = Buffer.from(prefix + payload + "}");
    broadcast.frames.set(prefix, frame);
  }
  return frame;
}

/**
 * One client subscription. To graphql-ws it is the operation's AsyncGenerator: it never yields (frames go
 * straight to the socket), it ends when the engine completes or fails it, and graphql-ws calls return()
 * when the client sends `complete` or the socket closes.
 */
class ClientStream implements AsyncGenerator<never, undefined> {
  private waiting: { resolve: (r: IteratorResult<never, undefined>) => void; reject: (e: unknown) => void } | undefined;
  private outcome: { error?: GraphQLError } | undefined;
  private leave: (() => void) | undefined;
  /** `{"id":"…","type":"next","payload":`, built once; the payload string is shared by every subscriber. */
  private readonly prefix: string;
  readonly sink: SubscriberSink;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    private readonly state: ConnectionState,
    private readonly maxBufferedBytes: number,
    private readonly counter: { streams: number },
  ) {
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    this.sink = {
      next: (payload) => this.write(payload),
      error: (errors) => this.end(new GraphQLError(errors[0]?.message ?? "the subscription failed", { extensions: errors[0]?.extensions })),
      complete: () => this.end(),
    };
    state.streams.add(this);
    state.usage.streams++;
    counter.streams++;
  }

  attach(leave: () => void): void {
    if (this.outcome) leave();
    else this.leave = leave;
  }

  private write(payload: string): void {
    if (this.outcome || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.socket.close(1013, "too slow to keep up: reconnect and subscribe with after = your last sequence");
      return;
    }
    this.socket.send(encodedFrame(this.prefix, payload), { binary: false });
  }

  /** Ends the stream: graphql-ws then sends `error` (with `error`) or `complete` to the client. */
  end(error?: GraphQLError): void {
    if (this.outcome) return;
    this.outcome = error ? { error } : {};
    this.state.streams.delete(this);
    this.state.usage.streams--;
    this.counter.streams--;
    const leave = this.leave;
    this.leave = undefined;
    leave?.();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) {
      if (error) waiting.reject(error);
      else waiting.resolve({ done: true, value: undefined });
    }
  }

  next(): Promise<IteratorResult<never, undefined>> {
    if (this.outcome) {
      const error = this.outcome.error;
      this.outcome = {}; // an error is reported once; later calls just say done
      return error ? Promise.reject(error) : Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<never, undefined>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(): Promise<IteratorResult<never, undefined>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.end();
  }
}

function toGraphQLErrors(errors: readonly GraphQLFormattedError[] | undefined): GraphQLError[] | undefined {
  // graphql-ws calls toJSON() on every error of a result; formatted errors from Apollo Server are plain objects.
  return errors?.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
}

function scheduleExpiry(state: ConnectionState, exp: number): void {
  const remaining = exp * 1000 - Date.now();
  state.expiryTimer = setTimeout(
    () => {
      if (remaining > MAX_TIMEOUT) return scheduleExpiry(state, exp);
      state.expired = true;
      for (const stream of [...state.streams]) stream.end(tokenExpired());
    },
    Math.max(0, Math.min(remaining, MAX_TIMEOUT)),
  );
  state.expiryTimer.unref?.();
}

export function attachWsAdapter(httpServer: http.Server, options: WsAdapterOptions): WsAdapter {
  const engine = options.engine;
  const authorize = options.authorize ?? alertSubscriptionPolicy;
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const allowedOrigins = options.allowedOrigins;
  const wss = new WebSocketServer({
    server: httpServer,
    path: options.path ?? "/graphql",
    maxPayload: options.maxPayloadBytes ?? 64 * 1024,
    verifyClient: ({ origin }: { origin?: string }, done: (ok: boolean, status?: number, message?: string) => void) =>
      !allowedOrigins || !origin || allowedOrigins.includes(origin) ? done(true) : done(false, 403, "origin not allowed"),
  });
  const maxConnections = options.maxConnectionsPerCaller ?? 20;
  const maxStreams = options.maxSubscriptionsPerCaller ?? 50;
  const usageByCaller = new Map<string, CallerUsage>();
  const counter = { streams: 0 };

  const server = useServer<Record<string, unknown>, AdapterExtra>(
    {
      schema: engine.apiSchema,
      isProd: options.isProd,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3000,

      onConnect: async (ctx: AdapterContext) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let caller: MaybeCaller;
        try {
          if (raw !== undefined && raw !== null && typeof raw !== "string") throw new TokenError('"authorization" in connection_init must be a string "Bearer <token>"');
          caller = await options.verifier.verifyHeader(raw);
        } catch (error) {
          if (!(error instanceof TokenError)) throw error;
          // Close ourselves to say why; graphql-ws's own close (4403 "Forbidden") then finds the socket closing.
          ctx.extra.socket.close(CloseCode.Forbidden, closeReason(error.message));
          return false;
        }
        const usageKey = caller ? `sub:${caller.sub}` : `address:${ctx.extra.request.socket.remoteAddress ?? "?"}`;
        const usage = usageByCaller.get(usageKey) ?? { connections: 0, streams: 0 };
        if (usage.connections >= maxConnections) {
          ctx.extra.socket.close(CloseCode.TooManyInitialisationRequests, closeReason(`too many open connections for this caller (at most ${maxConnections}): close one first`));
          return false;
        }
        usage.connections++;
        usageByCaller.set(usageKey, usage);
        const state: ConnectionState = { caller, usage, usageKey, expired: false, streams: new Set() };
        if (caller?.exp !== undefined) scheduleExpiry(state, caller.exp);
        ctx.extra.state = state;
        return true;
      },

      onSubscribe: (ctx: AdapterContext, id: string, payload: SubscribePayload) => {
        const state = ctx.extra.state;
        if (!state) return [new GraphQLError("connection not initialised")];
        // An expired token acts no more on this socket: not for subscriptions, queries or mutations.
        if (state.expired) return [tokenExpired()];
        const prepared = engine.prepare(payload.query, payload.operationName);
        if (!prepared.ok) return prepared.errors;
        const operation = prepared.operation;
        const args = (contextValue: OperationValue): ExecutionArgs => ({
          schema: engine.apiSchema,
          document: operation.document,
          operationName: operation.operationName,
          variableValues: payload.variables ?? undefined,
          contextValue,
        });
        if (operation.kind !== "subscription") {
          if (!options.executeOperation) {
            return [
              new GraphQLError(`${operation.kind} operations go over HTTP (POST /graphql); this WebSocket carries subscriptions`, {
                extensions: { code: "OPERATION_NOT_SUPPORTED" },
              }),
            ];
          }
          const request: WsOperationRequest = {
            query: payload.query,
            operationName: payload.operationName ?? undefined,
            variables: payload.variables ?? undefined,
            extensions: payload.extensions ?? undefined,
          };
          return args({ kind: "execute", request, caller: state.caller });
        }
        const refusal = authorize(state.caller, operation);
        if (refusal) return [refusal];
        if (state.usage.streams >= maxStreams) {
          return [
            new GraphQLError(`too many open subscriptions for this caller (at most ${maxStreams}): complete one first`, {
              extensions: { code: "TOO_MANY_SUBSCRIPTIONS" },
            }),
          ];
        }
        const stream = new ClientStream(ctx.extra.socket, id, state, maxBufferedBytes, counter);
        const started = engine.subscribe(operation, payload.variables, state.caller as Caller, stream.sink);
        if (started.errors) {
          stream.end();
          return started.errors;
        }
        stream.attach(started.dispose!);
        return args({ kind: "stream", stream });
      },

      subscribe: (args: ExecutionArgs) => {
        const value = args.contextValue as OperationValue;
        if (value.kind !== "stream") throw new Error("subscription without a stream");
        return value.stream;
      },

      execute: async (args: ExecutionArgs) => {
        const value = args.contextValue as OperationValue;
        if (value.kind !== "execute") throw new Error("execution without a request");
        const result = await options.executeOperation!(value.request, value.caller);
        return { data: result.data, errors: toGraphQLErrors(result.errors), extensions: result.extensions };
      },

      onClose: (ctx: AdapterContext) => {
        const state = ctx.extra.state;
        if (!state) return;
        if (state.expiryTimer) clearTimeout(state.expiryTimer);
        state.usage.connections--;
        if (state.usage.connections === 0 && state.usage.streams <= 0) usageByCaller.delete(state.usageKey);
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  return {
    stats: () => ({ connections: wss.clients.size, streams: counter.streams }),
    async dispose() {
      const clients = [...wss.clients];
      // graphql-ws's dispose sends 1001 to every client and waits for them all to close; one that never
      // answers the close handshake must not hold up a shutdown.
      const stragglers = setTimeout(() => clients.forEach((c) => c.terminate()), 1000);
      try {
        await server.dispose();
      } finally {
        clearTimeout(stragglers);
      }
    },
  };
}
