/**
 * Live subscriptions on the gateway: one call wires the engine (plan, share, hydrate, resume), the
 * graphql-ws upstream to the subgraphs, the graphql-ws endpoint on the gateway's http server, and the two
 * HTTP transports (SSE, multipart) the gateway's request handler routes to by their Accept header.
 */
import type http from "node:http";
import type { ParseOptions, ValidationRule } from "graphql";
import type { GraphQLDataSource } from "@apollo/gateway";
import type { ApolloServer } from "@apollo/server";
import type { Caller, MaybeCaller } from "../../caller/claims";
import { sendJson } from "../../platform/http";
import { logger } from "../../platform/logging";
import type { Disclosure } from "../../caller/disclosures";
import type { TokenVerifier } from "../auth";
import type { DocumentResolver } from "../trusted-documents";
import { GatewayContext, SubgraphClient } from "../subgraph-client";
import { alertSubscriptionPolicy } from "./alert-access";
import { latestAlertSequence } from "./alert-cursor";
import { callerScope } from "./caller-scope";
import { BackoffOptions, createSubscriptionEngine, CursorOptions, SubscriptionEngine, SubscriptionEngineStats, UpstreamConnector } from "./engine";
import type { SubscriptionAuthorizer } from "./policies/authorize";
import { createQuotas } from "./policies/quotas";
import type { HttpTransport } from "./http-streams";
import { createMultipartAdapter } from "./multipart-adapter";
import { createSseAdapter } from "./sse-adapter";
import { createGraphqlWsUpstream } from "./upstream";
import { attachWsAdapter, WsAdapterStats, WsObserver, WsOperationRequest, WsOperationResult } from "./ws-adapter";
import { inLanguage, languageOf, message, render } from "../../platform/i18n";

export * from "./engine";
export { alertSubscriptionPolicy } from "./alert-access";
export type { SubscriptionAuthorizer } from "./policies/authorize";
export { attachWsAdapter } from "./ws-adapter";
export { createSseAdapter } from "./sse-adapter";
export { createMultipartAdapter } from "./multipart-adapter";
export type { HttpTransport } from "./http-streams";
export { subscriptionRefusalPlugin } from "./http-refusal";
export type { WsAdapter, WsAdapterOptions, WsAdapterStats, WsObserver, WsOperationRequest, WsOperationResult } from "./ws-adapter";
export { createGraphqlWsUpstream, toUpstreamError } from "./upstream";
export type { GraphqlWsUpstreamOptions } from "./upstream";

export interface AttachSubscriptionsOptions {
  /** The supergraph SDL the HTTP gateway serves. */
  supergraphSdl: string;
  /** The gateway's token verifier (connection_init `authorization`). */
  verifier: TokenVerifier;
  /** Sent to subgraphs: over HTTP by the entity fetches, in connectionParams by the upstream subscriptions. */
  subgraphSecret: string;
  /** Subgraph GraphQL URLs by name (config.subgraphUrls); upstream subscriptions use the same URL over ws://. */
  subgraphUrls: Record<string, string>;
  /** Data sources for entity fetches. Default: a SubgraphClient per URL (the HTTP gateway's kind). */
  services?: Record<string, GraphQLDataSource>;
  /** Upstream transport. Default graphql-ws over `ws` to `subgraphUrls`. */
  upstream?: UpstreamConnector<Caller>;
  /** Queries and mutations over the socket; see `apolloExecutor`. Default: refused, pointing at HTTP. */
  executeOperation?: (request: WsOperationRequest, caller: MaybeCaller) => Promise<WsOperationResult>;
  /** Who may subscribe. Default `alertSubscriptionPolicy`: AGENCY, or INTEGRATOR with scope subscribe:alerts. */
  authorize?: SubscriptionAuthorizer;
  /** Path of the WebSocket, SSE and multipart endpoints (the HTTP endpoint's). Default "/graphql". */
  path?: string;
  /** Server→client WebSocket ping interval. Default 12,000 ms. */
  keepAliveMs?: number;
  /** Gateway→subgraph ping interval (and pong deadline). Default 10,000 ms. */
  upstreamKeepAliveMs?: number;
  /** Re-subscribe backoff after an upstream drop. Default 100 ms doubling to 5,000 ms. */
  backoff?: Partial<BackoffOptions>;
  /** Resume cursor. Default { field: "sequence", argument: "after", head: the incidents subgraph's latestAlertSequence }. */
  cursor?: Partial<CursorOptions<Caller>> | false;
  /** Plan cache size. Default 1,000 operations. */
  planCacheSize?: number;
  /** The HTTP gateway's parser limits (operationParseOptions(limits)). Default none. */
  parseOptions?: ParseOptions;
  /** The HTTP gateway's extra validation rules (operationLimitRules(limits)). Default none. */
  validationRules?: readonly ValidationRule[];
  /** Interval of the multipart `{}` heartbeat. Default 5,000 ms. */
  multipartHeartbeatMs?: number;
  /** Slow-client limit of unsent bytes per socket or streaming response. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Browser origins allowed to open a socket. Default: any. */
  allowedOrigins?: readonly string[];
  /** Open connections (sockets and event streams) per caller. Default 20. */
  maxConnectionsPerCaller?: number;
  /** Open subscriptions per caller. Default 50. */
  maxSubscriptionsPerCaller?: number;
  /** Hide internal error details in close reasons. Default NODE_ENV === "production". */
  isProd?: boolean;
  /** Audits each delivery of a report's reporter to a subscriber (see the engine's onDisclosed). Default none. */
  onDisclosed?: (caller: Caller, disclosed: readonly Disclosure[]) => Promise<void>;
  /** The document each request runs: partner apps' trusted documents (gateway/trusted-documents.ts). Default: the text sent. */
  resolveDocument?: DocumentResolver;
  /** Told of each socket operation, refused token and close (request log, metrics). Default: nobody. */
  observer?: WsObserver;
}

export interface SubscriptionStats extends SubscriptionEngineStats, WsAdapterStats {
  /** Open SSE streams. */
  sseStreams: number;
  /** Open multipart streams. */
  multipartStreams: number;
}

/** The HTTP subscription transports, for the gateway's request handler. */
export interface HttpSubscriptions {
  /** Whether the request is a subscription stream (SSE or multipart by its Accept header, on the endpoint's path). */
  accepts(req: http.IncomingMessage): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

export interface RunningSubscriptions {
  engine: SubscriptionEngine<Caller>;
  /** SSE and multipart on the endpoint's path. */
  http: HttpSubscriptions;
  stats(): SubscriptionStats;
  /**
   * Closes client sockets with 1001 and cuts the HTTP streams (clients reconnect and resume), then every
   * upstream subscription. Call before closing the http server.
   */
  dispose(): Promise<void>;
}

export function attachSubscriptions(httpServer: http.Server, options: AttachSubscriptionsOptions): RunningSubscriptions {
  const services =
    options.services ??
    Object.fromEntries(Object.entries(options.subgraphUrls).map(([name, url]) => [name, new SubgraphClient(url, options.subgraphSecret)]));
  const engine = createSubscriptionEngine<Caller>({
    supergraphSdl: options.supergraphSdl,
    services,
    upstream:
      options.upstream ??
      createGraphqlWsUpstream({ urls: options.subgraphUrls, secret: options.subgraphSecret, keepAliveMs: options.upstreamKeepAliveMs }),
    scope: callerScope,
    backoff: options.backoff,
    cursor: options.cursor === false ? false : { head: latestAlertSequence(options), ...options.cursor },
    planCacheSize: options.planCacheSize,
    parseOptions: options.parseOptions,
    validationRules: options.validationRules,
    onDisclosed: options.onDisclosed,
  });
  // One set of quotas for the gateway: a transport added beside graphql-ws takes the same instance.
  const quotas = createQuotas({ maxConnectionsPerCaller: options.maxConnectionsPerCaller, maxSubscriptionsPerCaller: options.maxSubscriptionsPerCaller });
  const authorize = options.authorize ?? alertSubscriptionPolicy;
  const adapter = attachWsAdapter(httpServer, {
    engine,
    verifier: options.verifier,
    authorize,
    quotas,
    path: options.path,
    keepAliveMs: options.keepAliveMs,
    executeOperation: options.executeOperation,
    maxBufferedBytes: options.maxBufferedBytes,
    allowedOrigins: options.allowedOrigins,
    isProd: options.isProd,
    resolveDocument: options.resolveDocument,
    observer: options.observer,
  });
  // SSE and multipart: the same engine, verifier, rule and quotas as the WebSocket.
  const streaming = { engine, verifier: options.verifier, authorize, quotas, maxBufferedBytes: options.maxBufferedBytes, executeOperation: options.executeOperation, resolveDocument: options.resolveDocument };
  const sse = createSseAdapter(streaming);
  const multipart = createMultipartAdapter({ ...streaming, heartbeatMs: options.multipartHeartbeatMs });
  const path = options.path ?? "/graphql";
  const transportOf = (req: http.IncomingMessage): HttpTransport | undefined => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== path) return undefined;
    return [sse, multipart].find((transport) => transport.accepts(req));
  };
  let disposed: Promise<void> | undefined;
  return {
    engine,
    http: {
      accepts: (req) => transportOf(req) !== undefined,
      // In the request's language (Accept-Language): refusals, a stream's last error, queries run alongside.
      handle: (req, res) =>
        inLanguage(languageOf(req.headers["accept-language"]), () => transportOf(req)!.handle(req, res))
          .catch((error: unknown) => {
            logger("subscriptions").error({ err: error }, "a streaming subscription request failed");
            if (res.headersSent) res.destroy();
            else sendJson(res, 500, { errors: [{ message: render(message("http.internal"), languageOf(req.headers["accept-language"])), extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
          }),
    },
    stats: () => ({ ...engine.stats(), ...adapter.stats(), sseStreams: sse.streams(), multipartStreams: multipart.streams() }),
    dispose() {
      disposed ??= (async () => {
        sse.dispose();
        multipart.dispose();
        await adapter.dispose();
        await engine.dispose();
      })();
      return disposed;
    },
  };
}

/**
 * Runs queries and mutations that arrive over the socket through the HTTP gateway's Apollo Server, so they
 * get the same plans, limits and access rules as over HTTP.
 */
export function apolloExecutor(apollo: ApolloServer<GatewayContext>) {
  return async (request: WsOperationRequest, caller: MaybeCaller): Promise<WsOperationResult> => {
    const response = await apollo.executeOperation(request, { contextValue: { caller } });
    if (response.body.kind === "single") return response.body.singleResult as WsOperationResult;
    return { errors: [{ message: "incremental delivery (@defer/@stream) is not supported over this WebSocket", extensions: { code: "OPERATION_NOT_SUPPORTED" } }] };
  };
}
