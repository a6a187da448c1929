/**
 * The graphql-ws transport of the subscription engine, thin as graphql-ws's own `use/ws` is: graphql-ws
 * (`useServer` over a `ws` WebSocketServer on the gateway's http server) runs the protocol, sessions.ts and
 * policies/ decide, and this file maps one onto the other:
 *
 * - identity: the token comes in the connection_init payload (`authorization: "Bearer ..."`); a bad one
 *   closes the socket with 4403 and says why. No token is the public: it may connect, and subscribing tells
 *   it to sign in (the `authorize` rule's answer, a GraphQL `error` for that operation).
 * - quotas: a caller's socket beyond its quota is closed with 4429; a subscription beyond it gets an error.
 * - token expiry: the subscriptions end with an error saying the token expired, later operations too.
 * - frames: engine payloads are already JSON; `next` frames are written straight to the socket as
 *   `{"id":…,"type":"next","payload":<the shared string>}`, encoded once per event and id, instead of
 *   graphql-ws re-stringifying the result per client. graphql-ws still owns the subscription's lifecycle.
 * - backpressure: a socket that falls too far behind is closed with 1013 (try again later).
 * - queries and mutations over the socket run through `executeOperation` when given (the HTTP gateway's
 *   Apollo Server, same plans and rules), otherwise they are refused with a message pointing at HTTP.
 * - keep-alive both ways: graphql-ws answers client `ping` messages; the server pings every socket at the
 *   WebSocket level and terminates one that does not pong before the next ping.
 * - `dispose()` closes every socket with 1001 (Going Away) so clients reconnect, to another replica, and
 *   resume with `after`.
 */
import type http from "node:http";
import { ExecutionArgs, getOperationAST, GraphQLError, GraphQLFormattedError } from "graphql";
import { CloseCode, Context, SubscribePayload } from "graphql-ws";
import { Extra, useServer } from "graphql-ws/use/ws";
import WebSocket, { WebSocketServer } from "ws";
import type { Caller, MaybeCaller } from "../../caller/claims";
import type { TokenVerifier } from "../auth";
import type { SubscriptionEngine } from "./engine";
import { authenticate, SubscriptionAuthorizer } from "./policies/authorize";
import { createBackpressure, Outlet } from "./policies/backpressure";
import { createFrameCache } from "./policies/frames";
import type { Quotas } from "./policies/quotas";
import type { DocumentResolver } from "../trusted-documents";
import { createSessions, Session, SessionStream } from "./sessions";
import { withSpan } from "../../platform/tracing";
import { describedError } from "../../platform/errors";
import { DEFAULT_LANGUAGE, inLanguage, Language, languageOf, localizeError, message, render } from "../../platform/i18n";

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

export interface WsAdapterOptions {
  /** The engine, scoped by the gateway's callers. Required. */
  engine: SubscriptionEngine<Caller>;
  /** Verifies the connection_init `authorization` value (same verifier as HTTP). Required. */
  verifier: TokenVerifier;
  /** Who may subscribe to what (the gateway's domain rule, e.g. alertSubscriptionPolicy). Required. */
  authorize: SubscriptionAuthorizer;
  /**
   * Per-caller limits on sockets (one more is closed with 4429) and subscriptions (one more gets an error),
   * shared with the gateway's other transports. Default: createQuotas(), 20 sockets and 50 subscriptions.
   */
  quotas?: Quotas;
  /** The document a request runs (partner apps' trusted documents). Default: the text sent. */
  resolveDocument?: DocumentResolver;
  /** Path of the WebSocket endpoint on the http server. Default "/graphql" (the HTTP endpoint's path). */
  path?: string;
  /** WebSocket-level ping interval; a socket silent for a whole interval after a ping is terminated. Default 12,000 ms. */
  keepAliveMs?: number;
  /** How long a client may take to send connection_init before 4408. Default 3,000 ms. */
  connectionInitWaitTimeoutMs?: number;
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
  /** Told of each operation, refused token and closed socket (request log, metrics). Default: nobody. */
  observer?: WsObserver;
  /** Hide internal error details in close reasons. Default NODE_ENV === "production". */
  isProd?: boolean;
}

/** What the request log and metrics learn of the socket. */
export interface WsObserver {
  /**
   * An operation started; the returned function is called once when it ends, with its type (query,
   * mutation, subscription; "unknown" when refused before parsing), error codes, and its name as the
   * document gives it (the client's operationName is often absent).
   */
  operation(caller: MaybeCaller, operationName: string | undefined): (type: string, errorCodes: string[], name?: string) => void;
  /** connection_init carried a token that was refused (`reason` as told to the client). */
  tokenRefused(reason: string): void;
  /** A socket closed, with its close code. */
  closed(code: number | undefined, reason: string | undefined): void;
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

/** WebSocket close reasons are at most 123 bytes. */
function closeReason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : Buffer.from(text).subarray(0, 120).toString("utf8") + "...";
}

/** 1013 Try Again Later: the client reconnects and resumes. */
const TRY_AGAIN_LATER = 1013;

type AdapterExtra = { session?: Session; language?: Language; operations?: Map<string, { done: (type: string, codes: string[], name?: string) => void; type: string; name?: string; codes: string[] }> };
type AdapterContext = Context<Record<string, unknown>, Extra & Partial<AdapterExtra>>;

/** What onSubscribe hands to graphql-ws's execute/subscribe hooks. */
type OperationValue = { kind: "stream"; stream: SessionStream } | { kind: "execute"; request: WsOperationRequest; caller: MaybeCaller; language: Language };

/**
 * The language the connection's messages are said in: "accept-language" in connection_init (a browser cannot
 * set the upgrade request's headers), else the upgrade request's Accept-Language header.
 */
function connectionLanguage(ctx: AdapterContext): Language {
  const chosen = ctx.connectionParams?.["accept-language"] ?? ctx.connectionParams?.["Accept-Language"];
  return languageOf(typeof chosen === "string" ? chosen : ctx.extra.request.headers["accept-language"]);
}

function isErrors(result: ExecutionArgs | readonly GraphQLError[]): result is readonly GraphQLError[] {
  return Array.isArray(result);
}

function toGraphQLErrors(errors: readonly GraphQLFormattedError[] | undefined): GraphQLError[] | undefined {
  // graphql-ws calls toJSON() on every error of a result; formatted errors from Apollo Server are plain objects.
  return errors?.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
}

/** The socket as the backpressure policy sees it. */
function outletOf(socket: WebSocket): Outlet {
  return {
    get bufferedBytes() {
      return socket.bufferedAmount;
    },
    shed: (reason) => socket.close(TRY_AGAIN_LATER, reason),
  };
}

export function attachWsAdapter(httpServer: http.Server, options: WsAdapterOptions): WsAdapter {
  const { engine, executeOperation, allowedOrigins } = options;
  const sessions = createSessions({ engine, authorize: options.authorize, quotas: options.quotas, resolveDocument: options.resolveDocument });
  const backpressure = createBackpressure({ maxBufferedBytes: options.maxBufferedBytes });
  const frames = createFrameCache("}");
  const wss = new WebSocketServer({
    server: httpServer,
    path: options.path ?? "/graphql",
    maxPayload: options.maxPayloadBytes ?? 64 * 1024,
    verifyClient: ({ origin }: { origin?: string }, done: (ok: boolean, status?: number, message?: string) => void) =>
      !allowedOrigins || !origin || allowedOrigins.includes(origin) ? done(true) : done(false, 403, "origin not allowed"),
  });

  /** Writes each payload of subscription `id` to `socket` as a graphql-ws `next` frame. */
  function deliverTo(socket: WebSocket, id: string): (payload: string) => void {
    const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    const outlet = outletOf(socket);
    return (payload) => {
      if (socket.readyState !== WebSocket.OPEN || !backpressure.admit(outlet)) return;
      socket.send(frames.frame(prefix, payload), { binary: false });
    };
  }

  const server = useServer<Record<string, unknown>, AdapterExtra>(
    {
      schema: engine.apiSchema,
      isProd: options.isProd,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3000,

      onConnect: async (ctx: AdapterContext) => {
        const language = (ctx.extra.language = connectionLanguage(ctx));
        const credential = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authenticated = await authenticate(options.verifier, credential, '"authorization" in connection_init');
        // Close ourselves to say why; graphql-ws's own close (4403 "Forbidden") then finds the socket closing.
        if (!authenticated.ok) {
          if (credential !== undefined) options.observer?.tokenRefused(render(authenticated.reason));
          ctx.extra.socket.close(CloseCode.Forbidden, closeReason(render(authenticated.reason, language)));
          return false;
        }
        const opened = sessions.open(authenticated.caller, ctx.extra.request.socket.remoteAddress);
        if (!opened.ok) {
          ctx.extra.socket.close(CloseCode.TooManyInitialisationRequests, closeReason(render(opened.reason, language)));
          return false;
        }
        ctx.extra.session = opened.session;
        return true;
      },

      onSubscribe: async (ctx: AdapterContext, id: string, payload: SubscribePayload) => {
        const started = options.observer?.operation(ctx.extra.session?.caller ?? null, payload.operationName ?? undefined);
        // The setup only (planning, and the upstream it may open): a subscription's own life lasts for days.
        const result = await withSpan("ws subscribe", {}, () => subscribe(ctx, id, payload));
        if (!started) return result;
        if (isErrors(result)) started("unknown", result.map((error) => String(error.extensions?.code ?? "GRAPHQL_VALIDATION_FAILED")));
        else {
          const operation = getOperationAST(result.document, result.operationName);
          (ctx.extra.operations ??= new Map()).set(id, { done: started, type: operation?.operation ?? "unknown", name: operation?.name?.value, codes: [] });
        }
        return result;
      },

      // Refusals and a subscription's last error, in the connection's language.
      onError: (ctx: AdapterContext, _id: string, _payload: SubscribePayload, errors: readonly GraphQLError[]) =>
        errors.map((error) => localizeError(error.toJSON(), ctx.extra.language ?? DEFAULT_LANGUAGE)),

      onNext: (ctx: AdapterContext, id: string, _payload: SubscribePayload, _args: ExecutionArgs, result: { errors?: readonly GraphQLError[] }) => {
        const operation = ctx.extra.operations?.get(id);
        for (const error of result.errors ?? []) operation?.codes.push(String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR"));
      },

      onComplete: (ctx: AdapterContext, id: string) => {
        const operation = ctx.extra.operations?.get(id);
        if (!operation) return;
        ctx.extra.operations?.delete(id);
        operation.done(operation.type, operation.codes, operation.name);
      },

      subscribe: (args: ExecutionArgs) => {
        const value = args.contextValue as OperationValue;
        if (value.kind !== "stream") throw new Error("subscription without a stream");
        return value.stream;
      },

      execute: async (args: ExecutionArgs) => {
        const value = args.contextValue as OperationValue;
        if (value.kind !== "execute") throw new Error("execution without a request");
        const result = await inLanguage(value.language, () => executeOperation!(value.request, value.caller));
        return { data: result.data, errors: toGraphQLErrors(result.errors), extensions: result.extensions };
      },

      onClose: (ctx: AdapterContext, code?: number, reason?: string) => {
        for (const operation of ctx.extra.operations?.values() ?? []) operation.done(operation.type, operation.codes, operation.name);
        ctx.extra.operations?.clear();
        options.observer?.closed(code, reason);
        ctx.extra.session?.close();
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  /** graphql-ws's onSubscribe: the operation's execution arguments, or the errors that refuse it. */
  async function subscribe(ctx: AdapterContext, id: string, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const session = ctx.extra.session;
    if (!session) return [describedError(message("subscription.notInitialised"))];
    // An expired token acts no more on this socket: not for subscriptions, queries or mutations.
    const refusal = session.refusal();
    if (refusal) return [refusal];
    const documented = await session.document({ query: payload.query, extensions: payload.extensions });
    if (!documented.ok) return [...documented.errors];
    const prepared = engine.prepare(documented.query, payload.operationName);
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
      if (!executeOperation) {
        return [
          describedError(message("subscription.overWebSocket", { kind: operation.kind }), { code: "OPERATION_NOT_SUPPORTED" }),
        ];
      }
      const request: WsOperationRequest = {
        query: payload.query,
        operationName: payload.operationName ?? undefined,
        variables: payload.variables ?? undefined,
        extensions: payload.extensions ?? undefined,
      };
      return args({ kind: "execute", request, caller: session.caller, language: ctx.extra.language ?? DEFAULT_LANGUAGE });
    }
    const subscribed = session.subscribe(operation, payload.variables, deliverTo(ctx.extra.socket, id));
    if (!subscribed.ok) return [...subscribed.errors];
    return args({ kind: "stream", stream: subscribed.stream });
  }

  return {
    stats: () => ({ connections: wss.clients.size, streams: sessions.streams() }),
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
