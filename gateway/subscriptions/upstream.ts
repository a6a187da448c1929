/**
 * The engine's upstream transport: graphql-ws (client) over `ws` to a subgraph's /graphql.
 *
 * One WebSocket per shared upstream subscription. The subgraph learns who is asking from connectionParams
 * (the same two values the HTTP client sends as headers: the subgraph secret and the caller claims), and
 * the claims differ per caller scope, so a socket cannot be shared across scopes anyway; upstreams are few
 * (one per distinct document + variables + scope), not one per client.
 *
 * graphql-ws's own retry is switched off: it would re-send the original subscribe payload and replay from
 * the original `after`. Drops are reported to the engine as retryable UpstreamErrors instead, and the engine
 * re-subscribes with `after` = the last cursor it saw.
 */
import { createClient, Client } from "graphql-ws";
import WebSocket from "ws";
import type { GraphQLFormattedError } from "graphql";
import { Caller, subgraphHeaders } from "../../caller/claims";
import { UpstreamConnector, UpstreamError, UpstreamRequest, UpstreamResult, UpstreamSink } from "./engine";
import { traceHeaders } from "../../platform/tracing";

export interface GraphqlWsUpstreamOptions {
  /** Where each subgraph listens, by name: its HTTP GraphQL URL (http→ws, https→wss) or a ws(s) URL. */
  urls: Record<string, string>;
  /** The subgraph secret, sent in connectionParams under the header name the HTTP client uses. */
  secret: string;
  /**
   * Ping interval towards the subgraph. A pong must come back within the same interval, or the socket is
   * closed and the engine re-subscribes: a subgraph whose host vanished is noticed in 2 × this. Default 10,000 ms.
   */
  keepAliveMs?: number;
  /** How long the subgraph may take to acknowledge the connection. Default 5,000 ms. */
  connectionAckWaitTimeoutMs?: number;
}

/** Close codes meaning "this will not work on retry either": the subgraph refused us. */
const FATAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009, 1010, 4400, 4401, 4403, 4406, 4409, 4429]);

interface CloseEventLike {
  code: number;
  reason: string;
}

function isCloseEvent(value: unknown): value is CloseEventLike {
  return typeof value === "object" && value !== null && "code" in value && "reason" in value;
}

function isGraphQLErrorList(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.length > 0 && value.every((e) => typeof e === "object" && e !== null && "message" in e);
}

/** Classifies whatever graphql-ws reports when a subscription ends badly. */
export function toUpstreamError(serviceName: string, value: unknown): UpstreamError {
  if (isGraphQLErrorList(value)) return new UpstreamError(`${serviceName} refused the subscription: ${value[0].message}`, false, value);
  if (isCloseEvent(value)) {
    const reason = `${serviceName} closed the subscription socket (${value.code}${value.reason ? `: ${value.reason}` : ""})`;
    return new UpstreamError(reason, !FATAL_CLOSE_CODES.has(value.code));
  }
  // Network errors (ECONNREFUSED while the subgraph restarts) and anything unknown: try again.
  return new UpstreamError(`${serviceName} subscription link failed: ${value instanceof Error ? value.message : String(value)}`, true);
}

function webSocketUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  return parsed.toString();
}

export function createGraphqlWsUpstream(options: GraphqlWsUpstreamOptions): UpstreamConnector<Caller> {
  const keepAliveMs = options.keepAliveMs ?? 10_000;
  const clients = new Set<Client>();

  function subscribe(request: UpstreamRequest<Caller>, sink: UpstreamSink): () => void {
    const base = options.urls[request.serviceName];
    if (!base) {
      // Not a transport drop: retrying cannot make an unknown subgraph appear.
      queueMicrotask(() => sink.error(new UpstreamError(`no URL for subgraph "${request.serviceName}"`, false)));
      return () => {};
    }
    let ended = false;
    let pongTimer: NodeJS.Timeout | undefined;
    let socket: WebSocket | undefined;
    const end = (report: () => void) => {
      if (ended) return;
      ended = true;
      stop();
      report();
    };
    const client = createClient({
      url: webSocketUrl(base),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      keepAlive: keepAliveMs,
      connectionAckWaitTimeout: options.connectionAckWaitTimeoutMs ?? 5000,
      // With the trace of the subscription that opened it (tracing on), so the subgraph's side joins it.
      connectionParams: { ...subgraphHeaders(options.secret, request.scope), ...traceHeaders() },
      on: {
        connected: (connected) => {
          socket = connected as WebSocket;
        },
        ping: (received) => {
          if (received) return;
          // graphql-ws pings but never gives up on a silent peer; this is its documented pong-timeout recipe.
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            if (socket?.readyState === WebSocket.OPEN) socket.close(4408, "pong timeout");
          }, keepAliveMs);
          pongTimer.unref?.();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        // A close with 1000 would make graphql-ws silently re-subscribe with the original variables; any
        // close while we still want events is a drop the engine must handle with the cursor.
        closed: (event) => end(() => sink.error(toUpstreamError(request.serviceName, event))),
      },
    });
    clients.add(client);
    const unsubscribe = client.subscribe<Record<string, unknown>>(
      { query: request.query, operationName: request.operationName, variables: request.variables },
      {
        next: (result) => {
          if (!ended) sink.next(result as UpstreamResult);
        },
        error: (error) => end(() => sink.error(toUpstreamError(request.serviceName, error))),
        complete: () => end(() => sink.complete()),
      },
    );
    function stop(): void {
      clearTimeout(pongTimer);
      unsubscribe();
      clients.delete(client);
      void client.dispose();
    }
    return () => {
      if (ended) return;
      ended = true;
      stop();
    };
  }

  return {
    subscribe,
    async dispose() {
      await Promise.allSettled([...clients].map((client) => client.dispose()));
      clients.clear();
    },
  };
}
