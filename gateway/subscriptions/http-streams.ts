/**
 * What the HTTP subscription transports (sse-adapter.ts, multipart-adapter.ts) share. Each request is one
 * connection carrying one subscription, so a request opens a session of sessions.ts, the same policies in
 * the same order as a graphql-ws socket: the bearer header checked by the gateway's verifier, the caller's
 * connection quota, the token's expiry, the access rule and the subscription quota. What differs is how a
 * refusal is told: before the stream starts there is still an HTTP status to answer with.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError, GraphQLFormattedError } from "graphql";
import type { Caller, MaybeCaller } from "../../caller/claims";
import { sendJson } from "../../platform/http";
import type { TokenVerifier } from "../auth";
import type { DocumentResolver } from "../trusted-documents";
import type { SubscriptionEngine } from "./engine";
import { authenticate, SubscriptionAuthorizer } from "./policies/authorize";
import { Backpressure, createBackpressure, Outlet } from "./policies/backpressure";
import type { Quotas } from "./policies/quotas";
import { createSessions, Session, Sessions } from "./sessions";
import type { WsOperationRequest, WsOperationResult } from "./ws-adapter";
import { answered, describedError } from "../../platform/errors";

/** Runs a query or mutation that came to a streaming transport (the HTTP gateway's Apollo Server). */
export type OperationExecutor = (request: WsOperationRequest, caller: MaybeCaller) => Promise<WsOperationResult>;

/** One of the HTTP subscription transports, as the gateway's request handler routes to it. */
export interface HttpTransport {
  /** Whether this request is for this transport (its Accept header). */
  accepts(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Streaming responses open now. */
  streams(): number;
  /** Cuts every stream (shutdown): clients reconnect, to another replica, and resume. */
  dispose(): void;
}

export interface HttpStreamOptions {
  /** The engine, scoped by the gateway's callers. Required. */
  engine: SubscriptionEngine<Caller>;
  /** Verifies the `Authorization` header (the HTTP gateway's verifier). Required. */
  verifier: TokenVerifier;
  /** Who may subscribe to what (the gateway's domain rule, e.g. alertSubscriptionPolicy). Required. */
  authorize: SubscriptionAuthorizer;
  /** Per-caller limits, the same instance as the other transports'. Default: createQuotas(). */
  quotas?: Quotas;
  /** Unsent bytes a response may hold before the client is cut (it reconnects and resumes). Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Largest request body accepted. Default 64 KiB (a subscription document is far smaller). */
  maxBodyBytes?: number;
  /** The document a request runs (partner apps' trusted documents). Default: the text sent. */
  resolveDocument?: DocumentResolver;
}

/** An HTTP answer that refuses a subscription before its stream starts. */
export interface Refusal {
  status: number;
  errors: GraphQLFormattedError[];
  headers?: Record<string, string>;
}

/** HTTP status of a refusal, from the first error's extensions.code. */
const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TOO_MANY_CONNECTIONS: 429,
  TOO_MANY_SUBSCRIPTIONS: 429,
  OPERATION_NOT_SUPPORTED: 405,
};

/** The refusal of `errors`: 400 unless their code says otherwise (401 asks for a bearer token). */
export function refusalOf(errors: readonly GraphQLError[]): Refusal {
  const code = errors[0]?.extensions?.code;
  const status = (typeof code === "string" && STATUS_BY_CODE[code]) || 400;
  return { status, errors: errors.map(answered), headers: status === 401 ? { "www-authenticate": "Bearer" } : undefined };
}

export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  sendJson(res, refusal.status, { errors: refusal.errors });
}

/**
 * The writing side of one streaming response. Frames written before `start` (an event can arrive while the
 * request is still being answered) wait and go out right after the head; a client that falls too far
 * behind is cut, as the backpressure policy says, and resumes with `after` when it reconnects.
 */
export interface StreamWriter {
  /** Sends the head, `opening` (what the protocol starts with) and the frames that waited. */
  start(headers: Record<string, string>, opening?: string): void;
  write(frame: Buffer | string): void;
}

export function streamWriter(res: ServerResponse, backpressure: Backpressure): StreamWriter {
  const outlet: Outlet = {
    get bufferedBytes() {
      return res.writableLength;
    },
    shed: () => res.destroy(),
  };
  let waiting: Array<Buffer | string> | undefined = [];
  return {
    start(headers, opening) {
      res.writeHead(200, headers);
      if (opening) res.write(opening);
      for (const frame of waiting ?? []) res.write(frame);
      waiting = undefined;
    },
    write(frame) {
      if (waiting) waiting.push(frame);
      else if (!res.destroyed && backpressure.admit(outlet)) res.write(frame);
    },
  };
}

export type HttpSessionOpened = { ok: true; session: Session } | { ok: false; refusal: Refusal };

export interface HttpStreams {
  readonly backpressure: Backpressure;
  readonly maxBodyBytes: number;
  /** A session for the request's bearer header, or the refusal to answer with (bad token, too many connections). */
  open(req: IncomingMessage): Promise<HttpSessionOpened>;
  /** Keeps `res` until it closes; then its session closes, whoever ended it. */
  track(res: ServerResponse, session: Session): void;
  /** Streaming responses open now. */
  streaming(): number;
  /** Cuts every streaming response (shutdown): clients reconnect, to another replica, and resume. */
  dispose(): void;
}

export function createHttpStreams(options: HttpStreamOptions): HttpStreams {
  const sessions: Sessions = createSessions({ engine: options.engine, authorize: options.authorize, quotas: options.quotas, resolveDocument: options.resolveDocument });
  const responses = new Set<ServerResponse>();
  return {
    backpressure: createBackpressure({ maxBufferedBytes: options.maxBufferedBytes }),
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    async open(req) {
      const authenticated = await authenticate(options.verifier, req.headers.authorization, "the Authorization header");
      if (!authenticated.ok) {
        return { ok: false, refusal: refusalOf([describedError(authenticated.reason, { code: "UNAUTHENTICATED" })]) };
      }
      const opened = sessions.open(authenticated.caller, req.socket.remoteAddress);
      if (!opened.ok) return { ok: false, refusal: refusalOf([describedError(opened.reason, { code: "TOO_MANY_CONNECTIONS" })]) };
      return opened;
    },
    track(res, session) {
      responses.add(res);
      res.once("close", () => {
        responses.delete(res);
        session.close();
      });
    },
    streaming: () => responses.size,
    dispose() {
      for (const res of [...responses]) res.destroy();
    },
  };
}
