/**
 * Live subscriptions on the gateway: one call wires the engine (plan, share, hydrate, resume), the
 * graphql-ws upstream to the subgraphs, and the graphql-ws endpoint on the gateway's http server.
 */
import type http from "node:http";
import type { ParseOptions, ValidationRule } from "graphql";
import type { GraphQLDataSource } from "@apollo/gateway";
import type { ApolloServer } from "@apollo/server";
import type { Caller, MaybeCaller } from "../../caller/claims";
import type { TokenVerifier } from "../auth";
import { GatewayContext, SubgraphClient } from "../subgraph-client";
import { alertSubscriptionPolicy } from "./alert-access";
import { latestAlertSequence } from "./alert-cursor";
import { callerScope } from "./caller-scope";
import { BackoffOptions, createSubscriptionEngine, CursorOptions, SubscriptionEngine, SubscriptionEngineStats, UpstreamConnector } from "./engine";
import type { SubscriptionAuthorizer } from "./policies/authorize";
import { createQuotas } from "./policies/quotas";
import { createGraphqlWsUpstream } from "./upstream";
import { attachWsAdapter, WsAdapterStats, WsObserver, WsOperationRequest, WsOperationResult } from "./ws-adapter";

export * from "./engine";
export { alertSubscriptionPolicy } from "./alert-access";
export type { SubscriptionAuthorizer } from "./policies/authorize";
export { attachWsAdapter } from "./ws-adapter";
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
  /** WebSocket path. Default "/graphql". */
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
  /** Slow-client limit of unsent bytes per socket. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Browser origins allowed to open a socket. Default: any. */
  allowedOrigins?: readonly string[];
  /** Open sockets per caller. Default 20. */
  maxConnectionsPerCaller?: number;
  /** Open subscriptions per caller. Default 50. */
  maxSubscriptionsPerCaller?: number;
  /** Hide internal error details in close reasons. Default NODE_ENV === "production". */
  isProd?: boolean;
  /** Told of each socket operation, refused token and close (request log, metrics). Default: nobody. */
  observer?: WsObserver;
}

export interface SubscriptionStats extends SubscriptionEngineStats, WsAdapterStats {}

export interface RunningSubscriptions {
  engine: SubscriptionEngine<Caller>;
  stats(): SubscriptionStats;
  /** Closes client sockets with 1001, then every upstream subscription. Call before closing the http server. */
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
  });
  // One set of quotas for the gateway: a transport added beside graphql-ws takes the same instance.
  const quotas = createQuotas({ maxConnectionsPerCaller: options.maxConnectionsPerCaller, maxSubscriptionsPerCaller: options.maxSubscriptionsPerCaller });
  const adapter = attachWsAdapter(httpServer, {
    engine,
    verifier: options.verifier,
    authorize: options.authorize ?? alertSubscriptionPolicy,
    quotas,
    path: options.path,
    keepAliveMs: options.keepAliveMs,
    executeOperation: options.executeOperation,
    maxBufferedBytes: options.maxBufferedBytes,
    allowedOrigins: options.allowedOrigins,
    isProd: options.isProd,
    observer: options.observer,
  });
  let disposed: Promise<void> | undefined;
  return {
    engine,
    stats: () => ({ ...engine.stats(), ...adapter.stats() }),
    dispose() {
      disposed ??= adapter.dispose().then(() => engine.dispose());
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
