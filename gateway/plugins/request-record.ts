import crypto from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import type { MaybeCaller } from "../../caller/claims";
import type { GatewayContext } from "../subgraph-client";

/**
 * What is known of one HTTP request or WebSocket operation when it completes: the facts the request log and
 * the request metrics read. Deliberately no variables, document, token or organization: what is not recorded
 * cannot leak into a log line.
 */
export interface RequestRecord {
  /** From `x-request-id`, else the trace id of `traceparent`, else a fresh UUID. */
  id: string;
  transport: "http" | "ws";
  /** HTTP: the request's path (/graphql, /health, /metrics, ...). */
  path?: string;
  started: bigint;
  /** The operation's name as the client sent it, or undefined. */
  operationName?: string;
  /** query, mutation or subscription, once the document is parsed. */
  operationType?: string;
  role?: string;
  /** A keyed hash of the caller's `sub` (see pseudonym): one caller's requests can be followed, not named. */
  callerId?: string;
  status: number;
  errorCodes: Set<string>;
  /** Errors a subgraph answered, as "subgraph:CODE". */
  subgraphErrors: Set<string>;
  subgraphs: Set<string>;
}

/** Whether a record is of a GraphQL operation (over HTTP at `graphqlPath`, or over the socket) rather than a plain route. */
export function isOperation(record: RequestRecord, graphqlPath = "/graphql"): boolean {
  return record.transport === "ws" || record.path === graphqlPath;
}

/** Called with each completed record and its duration in seconds. */
export type RecordListener = (record: RequestRecord, seconds: number) => void;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The request id a client or proxy sent (sanitised), else a new one. */
export function requestIdOf(headers: IncomingMessage["headers"]): string {
  const given = headers["x-request-id"];
  if (typeof given === "string" && REQUEST_ID.test(given)) return given;
  const trace = typeof headers.traceparent === "string" ? TRACEPARENT.exec(headers.traceparent) : null;
  return trace ? trace[1] : crypto.randomUUID();
}

/** 16 hex characters of HMAC-SHA256(key, sub): stable per caller, not reversible without the key. */
export function pseudonym(key: string, sub: string): string {
  return crypto.createHmac("sha256", key).update(sub).digest("hex").slice(0, 16);
}

export interface RequestRecorder {
  /** Wraps the server's listener: every request gets a record, `x-request-id` on its answer, listeners at its end. */
  listener(inner: RequestListener): RequestListener;
  /** The record of an HTTP request (for the context function). */
  recordOf(req: IncomingMessage): RequestRecord | undefined;
  /** Starts the record of a WebSocket operation; call `complete` with it when the operation ends. */
  start(transport: "ws", id: string): RequestRecord;
  complete(record: RequestRecord): void;
  /** Notes the caller on a record. */
  identify(record: RequestRecord, caller: MaybeCaller): void;
  /** Fills the record from Apollo's request: operation, errors, subgraphs reached. */
  plugin: ApolloServerPlugin<GatewayContext>;
}

export function createRequestRecorder(options: { pseudonymKey: string; listeners: RecordListener[] }): RequestRecorder {
  const records = new WeakMap<IncomingMessage, RequestRecord>();
  const start = (transport: "http" | "ws", id: string): RequestRecord => ({
    id,
    transport,
    started: process.hrtime.bigint(),
    status: 200,
    errorCodes: new Set(),
    subgraphErrors: new Set(),
    subgraphs: new Set(),
  });
  const complete = (record: RequestRecord) => {
    const seconds = Number(process.hrtime.bigint() - record.started) / 1e9;
    for (const listener of options.listeners) listener(record, seconds);
  };
  return {
    listener: (inner) => (req: IncomingMessage, res: ServerResponse) => {
      const record = start("http", requestIdOf(req.headers));
      record.path = (req.url ?? "/").split("?")[0];
      records.set(req, record);
      res.setHeader("x-request-id", record.id);
      res.once("finish", () => {
        record.status = res.statusCode;
        complete(record);
      });
      inner(req, res);
    },
    recordOf: (req) => records.get(req),
    start,
    complete,
    identify(record, caller) {
      if (!caller) return;
      record.role = caller.role;
      record.callerId = pseudonym(options.pseudonymKey, caller.sub);
    },
    plugin: {
      async requestDidStart({ contextValue, request }) {
        const record = contextValue.request;
        if (record) record.operationName = request.operationName ?? undefined;
        return {
          async didResolveOperation({ operation, operationName }) {
            if (!record) return;
            record.operationType = operation?.operation;
            record.operationName = operationName ?? undefined;
          },
          async willSendResponse({ response }) {
            if (!record) return;
            const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
            for (const error of errors ?? []) {
              const code = String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR");
              record.errorCodes.add(code);
              if (typeof error.extensions?.serviceName === "string") record.subgraphErrors.add(`${error.extensions.serviceName}:${code}`);
            }
            for (const name of contextValue.subgraphsUsed ?? []) record.subgraphs.add(name);
          },
        };
      },
    },
  };
}
