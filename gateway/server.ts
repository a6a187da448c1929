import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { GraphQLError } from "graphql";
import { describedError } from "../platform/errors";
import { currentLanguage, localizeError } from "../platform/i18n";
import type { HubConfig } from "../platform/config";
import { createHttpDrain } from "../platform/drain";
import { close, graphqlHttpHandler, listen, sendJson } from "../platform/http";
import { createTokenVerifier, TokenError, TokenVerifier } from "./auth";
import { createIdentityClient } from "./identity-client";
import { createIdentityRoutes } from "./identity-routes";
import { createEvidenceRoutes } from "./evidence-routes";
import { createExportRoutes } from "./export-routes";
import { identityDeliveryRecorder, reporterAuditPlugin } from "./reporter-audit";
import { createWebRoutes } from "./web-routes";
import { operationNamePlugin } from "./operation-name";
import { DEFAULT_OPERATION_LIMITS, OperationLimits, operationLimitRules, operationParseOptions } from "./limits";
import { memoryRateLimiter, mutationRateLimitPlugin, RateLimiter, redisRateLimiter } from "./rate-limit";
import { createPubSub } from "../platform/pubsub";
import { EVERYTHING, ResponseCache } from "./response-cache";
import { responseCachePlugin, shareInvalidations } from "./response-cache-plugin";
import { GatewayContext, SubgraphClient } from "./subgraph-client";
import { createReadinessProbe } from "./readiness";
import { createHttpPool } from "../platform/http-pool";
import { apolloExecutor, attachSubscriptions, HttpSubscriptions, RunningSubscriptions, subscriptionRefusalPlugin } from "./subscriptions";
import { createTrustedDocuments, trustedDocumentsPlugin } from "./trusted-documents";
import { identityWebhookStore, startWebhookDispatcher, WebhookDispatcher, WebhookDispatcherOptions, webhookRegistrationPlugin } from "./webhooks";
import { createGatewayObservation, ObserveOptions } from "./plugins";
import { metricsRoute } from "../platform/metrics";
import { refuseIntrospection } from "./introspection";

/** The committed supergraph, composed by `npm run compose`. */
export function committedSupergraph(): string {
  return fs.readFileSync(path.join(__dirname, "..", "..", "schema", "supergraph.graphql"), "utf8");
}

export interface GatewayOptions {
  /** Port; 0 picks a free one. Default config.port. */
  port?: number;
  /** Interface. Default config.host. */
  host?: string;
  /** Supergraph SDL. Default the committed schema/supergraph.graphql. */
  supergraphSdl?: string;
  /** Operation limits (depth, aliases, tokens, directives, cost). Default DEFAULT_OPERATION_LIMITS. */
  limits?: Partial<OperationLimits>;
  /** The request log and the request and fetch metrics, each on unless false (the cost benchmark's baseline turns both off). */
  observe?: ObserveOptions;
}

export interface RunningGateway {
  /** http://host:port/graphql (the WebSocket endpoint is the same path over ws://). */
  url: string;
  port: number;
  verifier: TokenVerifier;
  /** The operation limits in force, for the WebSocket path (operationLimitRules, operationParseOptions). */
  limits: OperationLimits;
  /** Live alerts: counters of upstream subscriptions, hydrations and sockets. */
  subscriptions: RunningSubscriptions;
  /** Webhook deliveries of this gateway. */
  webhooks: WebhookDispatcher;
  /**
   * Drains, then stops: new requests get 503 with Retry-After (SHUTTING_DOWN), subscription sockets close
   * with 1001 (clients reconnect, elsewhere, and resume with their cursor), requests in flight finish; those
   * still running at `deadline` (a Date.now() time; default config.drainSeconds from now) are cut. Calling it
   * again waits for the first call.
   */
  dispose(deadline?: number): Promise<void>;
}

function unauthorized(error: TokenError): GraphQLError {
  return describedError(error.text, { code: "UNAUTHENTICATED", http: { status: 401, headers: new Map([["www-authenticate", "Bearer"]]) } });
}

/** The dispatcher's settings from the configuration. */
function webhookOptions(config: HubConfig): Omit<WebhookDispatcherOptions, "engine" | "store"> {
  const { leaseSeconds, retryInitialMs, retryMaxMs, giveUpSeconds, timeoutMs } = config.webhooks;
  return {
    production: config.production,
    leaseSeconds,
    retry: { initialMs: retryInitialMs, maxMs: retryMaxMs, giveUpMs: giveUpSeconds * 1000 },
    timeoutMs,
    connectTimeoutMs: Math.ceil(timeoutMs / 2),
  };
}

/** Starts the gateway: one graph over the six subgraphs, verified callers forwarded to them. */
export async function startGateway(config: HubConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const secret = config.subgraphSecret;
  if (!secret) throw new Error("KAWAL_SUBGRAPH_SECRET: must be set so the subgraphs accept the gateway's requests");
  if (!config.jwtSecret && !config.jwksUrl && !config.signingKey) throw new Error("KAWAL_JWT_SECRET, KAWAL_SIGNING_KEY_FILE or KAWAL_JWKS_URL: one must be set to verify tokens");
  const verifier = createTokenVerifier({ secret: config.jwtSecret, hubKey: config.signingKey, jwksUrl: config.jwksUrl, issuer: config.jwtIssuer, audience: config.jwtAudience });
  const limits: OperationLimits = { ...DEFAULT_OPERATION_LIMITS, ...options.limits };
  // The request log and metrics: one record per request, read by each (gateway/plugins).
  const observation = createGatewayObservation(config, options.observe);
  const rateLimits = { limit: config.rateLimitMutations };
  const rateLimiter: RateLimiter | undefined =
    config.rateLimitMutations === 0 ? undefined : config.redisUrl ? redisRateLimiter(config.redisUrl, rateLimits) : memoryRateLimiter(rateLimits);
  const supergraphSdl = options.supergraphSdl ?? committedSupergraph();
  // One client per subgraph, over its keep-alive pool, for queries, mutations and alert hydration alike.
  const pools = new Map(Object.entries(config.subgraphUrls).map(([name, url]) => [name, createHttpPool(url)]));
  const services = Object.fromEntries(
    Object.entries(config.subgraphUrls).map(([name, url]) => [
      name,
      new SubgraphClient(url, secret, { name, fetcher: pools.get(name)?.fetcher, metrics: options.observe?.metrics, mergeFetches: config.mergeSubgraphFetches, batch: config.subgraphBatching }),
    ]),
  );
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => services[name],
  });
  // A write this gateway learns of (its own, another gateway's, the webhook store's) also stops later fetches
  // joining one in flight since before it, so the answers they compute are not kept under the newer generation.
  const sealInFlight = (written: readonly string[]) => {
    for (const [name, client] of Object.entries(services)) if (written.includes(name) || written.includes(EVERYTHING)) client.sealInFlight();
  };
  const responseCache = config.responseCacheSeconds > 0 ? new ResponseCache({ ttlSeconds: config.responseCacheSeconds, onInvalidate: sealInFlight }) : undefined;
  // With Redis, gateways tell each other of writes and of trusted-document changes; without, each sees only its own.
  const bus = config.redisUrl ? createPubSub(config.redisUrl) : undefined;
  const sharedInvalidations = responseCache && bus ? shareInvalidations(responseCache, bus) : undefined;
  // Every delivery of a report's reporter is audited by the identity subgraph (reporter-audit.ts).
  // The identity subgraph outside query plans: sign-in and tokens, the reporter audit, trusted documents, webhooks.
  const identity = createIdentityClient(config.subgraphUrls.identity, secret);
  const recordDeliveries = identityDeliveryRecorder(identity);
  // Partner apps' safelists, on every transport (trusted-documents.ts).
  const trusted = createTrustedDocuments({ identity, bus });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    stopOnTerminationSignals: false, // the process owner (hub, main) stops servers in order
    includeStacktraceInErrorResponses: !config.production,
    // Refused in production by refuseIntrospection, whose message points at the published schema.
    introspection: true,
    // No "Did you mean ...?" in production: suggestions would hand out the schema introspection withholds.
    hideSchemaDetailsFromClientErrors: config.production,
    // Apollo's defaults, stated so a later edit cannot drop them unnoticed: one operation per request (a batch
    // would multiply every limit below), and no simple (CSRF-able) requests without a preflight header.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: [...operationLimitRules(limits), ...(config.production ? [refuseIntrospection] : [])],
    parseOptions: operationParseOptions(limits),
    // Every error in the caller's language (Accept-Language, platform/i18n); the catalogue key stays inside.
    formatError: (formatted) => localizeError(formatted, currentLanguage()),
    plugins: [
      // The request log and metrics see every request as it came, refusals included.
      ...observation.plugins,
      // Before the rest: every later plugin sees the document that runs (a refused request's stand-in answers nothing).
      trustedDocumentsPlugin(trusted),
      operationNamePlugin(),
      // The hub serves its own explorer (gateway/web-routes.ts); Apollo's landing page needs the internet.
      ApolloServerPluginLandingPageDisabled(),
      ...(rateLimiter ? [mutationRateLimitPlugin(rateLimiter, rateLimits)] : []),
      // After the rate limit: a refused mutation never reaches a subgraph, so it invalidates nothing.
      ...(responseCache ? [responseCachePlugin(responseCache, sharedInvalidations?.announce)] : []),
      // A subscription here gets 406 naming graphql-ws, SSE and multipart, not @apollo/gateway's 500.
      subscriptionRefusalPlugin(),
      reporterAuditPlugin(recordDeliveries),
      // The engine exists once the server is built below; registrations arrive only after it listens.
      webhookRegistrationPlugin(() => subscriptions.engine),
    ],
  });
  await apollo.start();

  const readiness = createReadinessProbe(
    Object.fromEntries(Object.entries(config.subgraphUrls).map(([name, url]) => [name, { url, fetcher: pools.get(name)!.fetcher }])),
  );
  const handler = graphqlHttpHandler<GatewayContext>({
    server: apollo,
    spanName: "gateway request",
    context: async (req) => {
      const request = observation.recorder.recordOf(req);
      try {
        const caller = await verifier.verifyHeader(req.headers.authorization);
        if (request) observation.recorder.identify(request, caller);
        return { caller, clientAddress: req.socket.remoteAddress, request };
      } catch (error) {
        if (error instanceof TokenError) {
          observation.tokenRefused(error, request);
          throw unauthorized(error);
        }
        throw error;
      }
    },
    routes: {
      "/health": (_req, res) => sendJson(res, 200, { status: "ok" }),
      "/metrics": metricsRoute(config.metricsToken),
      "/ready": async (_req, res) => {
        const { status, body } = await readiness.ready();
        sendJson(res, status, body);
      },
      "/ready/writes": async (_req, res) => {
        const { status, body } = await readiness.writes();
        sendJson(res, status, body);
      },
    },
  });
  // /auth/*, /oauth/token (forwarded to the identity subgraph, rate-limited per address) and /.well-known/jwks.json.
  const identityRoutes = createIdentityRoutes({ identity, limiter: rateLimiter, limits: rateLimits, signingKey: config.signingKey });
  // POST /evidence (upload) and GET /evidence/<id> (download), streamed to the incidents subgraph.
  const evidenceRoutes = createEvidenceRoutes({ incidentsUrl: config.subgraphUrls.incidents, subgraphSecret: secret, verifier, recordDeliveries, limiter: rateLimiter });
  // GET /export/incidents.csv: pages of incidentReports run through this server, its plugins (and audit) included.
  const exportRoutes = createExportRoutes({
    verifier,
    execute: async (request, caller, clientAddress) => {
      const response = await apollo.executeOperation(request, { contextValue: { caller, clientAddress } });
      return response.body.kind === "single" ? response.body.singleResult : { errors: [{ message: "incremental delivery is not supported by the export" }] };
    },
  });
  // The console at /, Lapor at /lapor, the explorer at /graphiql.
  const webRoutes = createWebRoutes();
  // Subscriptions over SSE and multipart HTTP are routed by their Accept header, once attached below.
  let streams: HttpSubscriptions | undefined;
  const route: http.RequestListener = (req, res) => {
    if (identityRoutes.matches(req)) return void identityRoutes.handle(req, res);
    if (evidenceRoutes.matches(req)) return void evidenceRoutes.handle(req, res);
    if (exportRoutes.matches(req)) return void exportRoutes.handle(req, res);
    if (webRoutes.matches(req)) return webRoutes.handle(req, res);
    if (streams?.accepts(req)) return void streams.handle(req, res);
    void handler(req, res);
  };
  const drain = createHttpDrain(route);
  const server = http.createServer(observation.recorder.listener(drain.listener));
  // Listening first: a port in use then fails here with one line naming PORT, before a WebSocket server
  // would relay the error as its own.
  const port = await listen(server, options.port ?? config.port, options.host ?? config.host);
  // Live alerts over graphql-ws, SSE and multipart on the same path, with the same token check and operation limits as HTTP.
  const subscriptions = attachSubscriptions(server, {
    supergraphSdl,
    verifier,
    subgraphSecret: secret,
    subgraphUrls: config.subgraphUrls,
    services,
    executeOperation: apolloExecutor(apollo),
    validationRules: operationLimitRules(limits),
    parseOptions: operationParseOptions(limits),
    allowedOrigins: config.wsAllowedOrigins,
    maxConnectionsPerCaller: config.wsMaxConnectionsPerCaller,
    maxSubscriptionsPerCaller: config.wsMaxSubscriptionsPerCaller,
    isProd: config.production,
    observer: observation.ws,
    resolveDocument: trusted.resolve,
    onDisclosed: (caller, disclosed) => recordDeliveries(disclosed.map((delivery) => ({ ...delivery, subject: caller.sub }))),
  });
  streams = subscriptions.http;
  // Webhooks: one more consumer of the engine, delivering the webhooks this gateway holds the lease of.
  const webhooks = startWebhookDispatcher({
    engine: subscriptions.engine,
    store: identityWebhookStore({ identity }),
    // Its writes bypass Apollo's write path: cached answers that read the delivery log are dropped here.
    onStoreWrite: () => {
      responseCache?.invalidate(["identity"]);
      sharedInvalidations?.announce(["identity"]);
    },
    ...webhookOptions(config),
  });
  const stopObserving = observation.started(port, subscriptions);
  const host = (options.host ?? config.host) === "0.0.0.0" ? "localhost" : (options.host ?? config.host);
  let disposed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    verifier,
    limits,
    subscriptions,
    webhooks,
    dispose(deadline = Date.now() + config.drainSeconds * 1000) {
      disposed ??= (async () => {
        // New requests are refused from here on; those in flight keep their subgraph pools and caches.
        const drained = drain.drain(deadline);
        // Before the engine it consumes; its leases go back so another gateway resumes its webhooks at once.
        await webhooks.dispose();
        // Sockets right away (1001, so clients reconnect and resume): a subscription never finishes by itself,
        // and upgraded sockets would hold the server open.
        await subscriptions.dispose();
        await drained;
        await close(server, deadline);
        await apollo.stop();
        await rateLimiter?.dispose();
        await trusted.dispose();
        // The bus before the cache that listens on it: nothing hears an invalidation after the cache is gone.
        await bus?.close();
        await sharedInvalidations?.dispose();
        await Promise.all([...pools.values()].map((pool) => pool.dispose()));
        stopObserving();
      })();
      return disposed;
    },
  };
}
