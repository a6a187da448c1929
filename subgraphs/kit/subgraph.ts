import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { IResolvers, printSchemaWithDirectives } from "@graphql-tools/utils";
import { GraphQLSchema } from "graphql";
import gql from "graphql-tag";
import { buildSchema, createResolversMap, getMetadataStorage, NonEmptyArray, PubSub } from "type-graphql";
import type { DataSource, EntityTarget, ObjectLiteral } from "typeorm";
import type { HubConfig, SubgraphName } from "../../platform/config";
import { SECRET_HEADER, secretMatches } from "../../caller/claims";
import { authChecker, callerFromRequest, clientAddressFromRequest, contextFor, SubgraphContext } from "./context";
import { createHttpDrain } from "../../platform/drain";
import { dropExpiredKeysHourly } from "./idempotency";
import { openStorage, Storage } from "./storage";
import { close, graphqlHttpHandler, listen, sendJson } from "../../platform/http";
import { attachSubgraphSubscriptions } from "./subscription-server";
import { createSubgraphPeers } from "./lookups";
import { gatewayExtensionsPlugin, InternalRoute, internalRoutes } from "./internal-routes";
import { StreamRoute, streamRoutes } from "./stream-routes";
import { logger } from "../../platform/logging";
import { collectProcessMetrics, metricsRoute } from "../../platform/metrics";
import { subgraphPlugins } from "./observe";

const log = logger("subgraph");

/** Resolves a federation reference ({ __typename, id } or { __typename, code }) to the entity or null. */
export type ReferenceResolver = (reference: Record<string, unknown>, context: SubgraphContext) => unknown;

/** The reference resolver of an entity keyed by a numeric id. */
export function referenceById<T extends ObjectLiteral & { id: number }>(entity: EntityTarget<T>): ReferenceResolver {
  return (reference, { loaders }) => loaders.find(entity, reference.id);
}

/** What one running instance of a subgraph keeps beside its database, and how to let it go at the stop. */
export interface InstanceState<S> {
  value: S;
  /** Runs at the instance's stop, after it stopped serving. Default: nothing to release. */
  dispose?: () => Promise<void>;
}

/**
 * What a subgraph folder exports: read one, know all five. `S` is what one running instance keeps beside
 * its database (its list memos, names in memory, alert bus), reached by resolvers as `context.state`.
 */
export interface SubgraphDefinition<S = unknown> {
  name: SubgraphName;
  /** TypeORM entities of the subgraph's own database. */
  entities: Function[];
  /** TypeORM migrations, oldest first. */
  migrations: Function[];
  /** type-graphql resolver classes. */
  resolvers: NonEmptyArray<Function>;
  /** Types no resolver returns but the schema must carry (entity stubs). */
  orphanedTypes?: Function[];
  /** `__resolveReference` of each entity type this subgraph resolves, by type name. */
  references?: Record<string, ReferenceResolver>;
  /** Reference data the subgraph loads into its database on start when it is missing. */
  loadReferenceData?: (db: DataSource) => Promise<void>;
  /**
   * Creates the instance's state at its start, after the migrations and reference data, before it serves.
   * Default: no state (`context.state` is undefined).
   */
  state?: (storage: Storage, config: HubConfig) => Promise<InstanceState<S>>;
  /** Routes for the gateway's own requests, served at POST /internal/<name> with the subgraph secret. Default none. */
  internalRoutes?: Record<string, InternalRoute>;
  /** Routes whose bodies stream (files), for the gateway's own requests with the subgraph secret. Default none. */
  streamRoutes?: StreamRoute<S>[];
}

/**
 * Subscription fields here stream with their own `subscribe` functions over the kit's pub/sub; type-graphql
 * still wants a PubSub for topic-based ones, which no subgraph declares, so using one is a programming error.
 */
const NO_TOPIC_SUBSCRIPTIONS: PubSub = {
  publish() {
    throw new Error("topic-based subscriptions are not used: declare a `subscribe` function");
  },
  subscribe() {
    throw new Error("topic-based subscriptions are not used: declare a `subscribe` function");
  },
};

const FEDERATION_LINK = `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@inaccessible"])
`;

/** type-graphql output turned into an Apollo subgraph schema (the helper of type-graphql's federation example). */
export async function buildFederatedSchema(definition: SubgraphDefinition): Promise<GraphQLSchema> {
  // type-graphql caches each type's field list on shared metadata, so fields one subgraph adds to a stub
  // (Organization.hostedEvents) would leak into the next subgraph built in this process (type-graphql #675).
  const metadata = getMetadataStorage();
  for (const type of [...metadata.objectTypes, ...metadata.interfaceTypes]) (type as { fields?: unknown }).fields = undefined;
  const schema = await buildSchema({
    resolvers: definition.resolvers,
    orphanedTypes: definition.orphanedTypes,
    authChecker,
    pubSub: NO_TOPIC_SUBSCRIPTIONS,
    validate: false, // inputs are checked by the kit's validate module, with messages naming field and rule
    skipCheck: true, // subgraphs may lack a Query of their own
  });
  const resolvers = createResolversMap(schema) as IResolvers;
  for (const [typeName, resolve] of Object.entries(definition.references ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), __resolveReference: resolve };
  }
  return buildSubgraphSchema({
    typeDefs: gql(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
    resolvers: resolvers as never,
  });
}

export interface StartOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface; the embedded default keeps subgraphs on 127.0.0.1. */
  host: string;
}

export interface RunningSubgraph<S = unknown> {
  name: SubgraphName;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql. */
  url: string;
  /** The database as readers see it (storage.reader). */
  db: DataSource;
  /** The database's write path and its health. */
  storage: Storage;
  /** What the instance keeps beside its database (SubgraphDefinition.state); undefined when it keeps nothing. */
  state: S | undefined;
  /**
   * Drains (new requests get 503, those in flight finish, subscription sockets close with 1001), stops
   * listening, then closes the database; requests still running at `deadline` (a Date.now() time; default
   * KAWAL_DRAIN_SECONDS from now) are cut. Calling it again waits for the first call.
   */
  dispose(deadline?: number): Promise<void>;
}

/**
 * Opens the subgraph's database (migrating it), loads missing reference data, creates the instance's state,
 * and serves GraphQL with /health (liveness), /ready (reads work; says whether writes do) and /ready/writes
 * (503 while writes fail). Only requests carrying the subgraph secret reach GraphQL, `_service` and
 * `_entities` included.
 */
export async function startSubgraph<S>(
  definition: SubgraphDefinition<S>,
  config: HubConfig,
  options: StartOptions,
): Promise<RunningSubgraph<S>> {
  const secret = config.subgraphSecret;
  if (!secret) throw new Error("KAWAL_SUBGRAPH_SECRET: must be set for a subgraph to accept the gateway's requests");
  const storage = await openStorage({ name: definition.name, entities: definition.entities, migrations: definition.migrations }, config);
  // What is acquired so far, released in reverse if a later step fails, so a failed start leaves no open database,
  // timer or socket behind (the launcher retries or the process exits cleanly).
  const acquired: Array<() => unknown> = [() => storage.close()];
  try {
    return await serveSubgraph(definition, config, options, secret, storage, acquired);
  } catch (error) {
    for (const release of acquired.reverse()) await Promise.resolve(release()).catch(() => undefined);
    throw error;
  }
}

async function serveSubgraph<S>(
  definition: SubgraphDefinition<S>,
  config: HubConfig,
  options: StartOptions,
  secret: string,
  storage: Storage,
  acquired: Array<() => unknown>,
): Promise<RunningSubgraph<S>> {
  const db = storage.reader;
  await definition.loadReferenceData?.(storage.writer);
  const state = await definition.state?.(storage, config);
  if (state?.dispose) acquired.push(() => state.dispose?.());
  const stopDroppingKeys = dropExpiredKeysHourly(storage);
  acquired.push(stopDroppingKeys);
  const peers = createSubgraphPeers(config);
  acquired.push(() => peers.dispose());
  const schema = await buildFederatedSchema(definition);
  collectProcessMetrics();
  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    stopOnTerminationSignals: false, // the process owner (hub, main) stops servers in order
    includeStacktraceInErrorResponses: !config.production,
    // The gateway sends a request's simultaneous reads as one array (gateway/fetch-batching.ts); only the
    // gateway reaches a subgraph (the secret), so no client can batch.
    allowBatchedHttpRequests: true,
    // No Apollo Studio traces, and no cache-control hints (the gateway's response cache does not read them):
    // either would wrap every field resolver and only cost time.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), gatewayExtensionsPlugin, ...subgraphPlugins(definition.name)],
  });
  await apollo.start();
  acquired.push(() => apollo.stop());
  const handler = graphqlHttpHandler({
    server: apollo,
    spanName: `subgraph ${definition.name}`,
    context: async (req) => contextFor(callerFromRequest(req), storage, config, peers, state?.value, clientAddressFromRequest(req)),
    guard: (req) =>
      secretMatches(req.headers[SECRET_HEADER], secret)
        ? null
        : { status: 403, message: "this subgraph answers the Kawal Damai gateway only" },
    routes: {
      "/health": (_req, res) => sendJson(res, 200, { status: "ok", subgraph: definition.name }),
      "/metrics": metricsRoute(config.metricsToken),
      // Ready while reads work, so a load balancer keeps an instance whose disk is full: it still answers
      // every query. Monitors watch writes on /ready/writes. Reasons go to the operator's log only.
      "/ready": async (_req, res) => {
        try {
          await db.query("SELECT 1");
          sendJson(res, 200, { status: "ready", subgraph: definition.name, writes: storage.health.state.writes });
        } catch (error) {
          log.error({ subgraph: definition.name, err: error }, "readiness check failed");
          sendJson(res, 503, { status: "database unreachable", subgraph: definition.name, writes: storage.health.state.writes });
        }
      },
      "/ready/writes": async (_req, res) => {
        const { writes, since } = await storage.checkWrites();
        sendJson(res, writes === "ok" ? 200 : 503, { subgraph: definition.name, writes, ...(since ? { since } : {}) });
      },
    },
  });
  const internal = definition.internalRoutes ? internalRoutes(definition.internalRoutes, secret, () => contextFor(null, storage, config, peers, state?.value)) : undefined;
  const streams = definition.streamRoutes
    ? streamRoutes(definition.streamRoutes, secret, (req) => contextFor(callerFromRequest(req), storage, config, peers, state?.value as S, clientAddressFromRequest(req)))
    : undefined;
  const drain = createHttpDrain((req, res) => {
    if (internal?.matches(req)) return void internal.handle(req, res);
    if (streams?.matches(req)) return void streams.handle(req, res);
    void handler(req, res);
  });
  const server = http.createServer(drain.listener);
  server.keepAliveTimeout = 65_000; // longer than the gateway's pooled sockets stay idle
  // Listening before the WebSocket server is attached, which would otherwise relay a port in use as its own error.
  const port = await listen(server, options.port, options.host, "the subgraph's port (--port, or PORT when the process runs one subgraph)");
  // Subscription fields are served over graphql-ws on the same path, to the gateway only.
  const subscriptions = schema.getSubscriptionType()
    ? attachSubgraphSubscriptions(server, { schema, secret, context: (caller) => contextFor(caller, storage, config, peers, state?.value), isProd: config.production })
    : undefined;
  if (subscriptions) acquired.push(() => subscriptions.dispose());
  const hostForUrl = options.host === "0.0.0.0" ? "127.0.0.1" : options.host;
  log.info({ subgraph: definition.name, port }, "subgraph listening");
  let disposed: Promise<void> | undefined;
  return {
    name: definition.name,
    url: `http://${hostForUrl}:${port}/graphql`,
    db,
    storage,
    state: state?.value,
    dispose(deadline = Date.now() + config.drainSeconds * 1000) {
      disposed ??= (async () => {
        const drained = drain.drain(deadline);
        await subscriptions?.dispose();
        await drained;
        await close(server, deadline);
        await apollo.stop();
        await state?.dispose?.();
        await peers.dispose();
        stopDroppingKeys();
        await storage.close();
        log.info({ subgraph: definition.name }, "subgraph stopped");
      })();
      return disposed;
    },
  };
}

/** A subgraph that could not start: `subgraph` says which, the message is its cause's. */
export class SubgraphFailure extends Error {
  constructor(
    readonly subgraph: SubgraphName,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "SubgraphFailure";
  }
}

/**
 * Starts subgraphs in this process one after the other: in one process they share type-graphql's metadata,
 * which each schema build resets and rebuilds. When one fails, stops those already started, last first,
 * and rejects with a SubgraphFailure naming it.
 */
export async function startSubgraphs(definitions: SubgraphDefinition[], config: HubConfig, optionsOf: (name: SubgraphName) => StartOptions): Promise<RunningSubgraph[]> {
  const running: RunningSubgraph[] = [];
  for (const definition of definitions) {
    try {
      running.push(await startSubgraph(definition, config, optionsOf(definition.name)));
    } catch (error) {
      for (const started of running.reverse()) await started.dispose();
      throw new SubgraphFailure(definition.name, error);
    }
  }
  return running;
}
