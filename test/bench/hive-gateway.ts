import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerOptions } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { CALLER_HEADER, callerFromClaims, claimsOf, SECRET_HEADER } from "../../caller/claims";
import type { HubConfig, SubgraphName } from "../../platform/config";
import { committedSupergraph } from "../../gateway/server";

/*
 * The gateway an operator would pick instead of ours (issue 19): Hive Gateway's runtime
 * (@graphql-hive/gateway-runtime), served by node:http in the benchmark's process as the plain
 * @apollo/gateway is, over the same running subgraphs and the supergraph our composition commits.
 * What it does per request, like ours: verifies the bearer token (HS256 with the hub's secret, through its
 * JWT plugin), then sends each subgraph the subgraph secret and the caller's claims (the headers of
 * caller/claims.ts, the empty string for the public; for subscriptions, graphql-ws connectionParams under
 * the same names).
 * Otherwise its defaults, which merge identical subgraph requests in flight (same URL, body and headers).
 */

/** The part of Hive's runtime used here: a node:http handler. */
interface HiveRuntime {
  (request: http.IncomingMessage, response: http.ServerResponse): void;
  graphqlEndpoint: string;
  dispose(): Promise<void> | void;
}

interface WsContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra?: { request?: http.IncomingMessage; socket?: unknown };
}

/** A token lookup of Hive's JWT plugin. */
type TokenLookup = (params: { request: Request; serverContext?: { connectionParams?: Record<string, unknown> } }) => { token: string; prefix?: string } | undefined;

/** What the benchmark takes from @graphql-hive/gateway and @graphql-hive/router-runtime. */
interface HiveModules {
  createGatewayRuntime(config: object): HiveRuntime;
  getGraphQLWSOptions(runtime: HiveRuntime, onContext: (ctx: WsContext) => object): ServerOptions;
  useJWT(options: object): object;
  createInlineSigningKeyProvider(secret: string): unknown;
  extractFromHeader(options: { name: string; prefix?: string }): TokenLookup;
  unifiedGraphHandler: unknown;
}

/**
 * Hive's modules, loaded without their type declarations: those augment graphql's GraphQLErrorExtensions
 * (yoga's `http.headers` as a record) for the whole program, which breaks the gateway's own errors.
 */
function hiveModules(): HiveModules {
  const load = (name: string) => require(name) as Partial<HiveModules>;
  return { ...load("@graphql-hive/gateway"), ...load("@graphql-hive/router-runtime") } as HiveModules;
}

/** The bearer token a graphql-ws client sends in connection_init, as our gateway reads it. */
const connectionParamsToken: TokenLookup = ({ serverContext }) => {
  const value = serverContext?.connectionParams?.authorization;
  const match = typeof value === "string" ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match ? { token: match[1], prefix: "Bearer" } : undefined;
};

export type HivePlanner = "js" | "rust";

export interface HiveOptions {
  /** "rust": @graphql-hive/router-runtime's query planner; "js": the runtime's own (@graphql-tools/federation). */
  planner: HivePlanner;
  /** Merge identical subgraph requests in flight (deduplicateInflightRequests). Default true, Hive's default. */
  inflightMerging?: boolean;
}

export interface HiveGateway {
  /** Its GraphQL URL (POST, SSE; graphql-ws on the same path). */
  url: string;
  dispose(): Promise<void>;
}

/** The caller's claims as the subgraphs read them (CALLER_HEADER), carried in the Hive context for the subgraph requests. */
interface KawalContext {
  jwt?: { payload: Record<string, unknown> };
  kawalClaims?: string;
}

/** The CALLER_HEADER value for a verified token payload (the same claims our gateway forwards). */
function forwardedClaims(payload: Record<string, unknown> | undefined): string | undefined {
  return payload ? JSON.stringify(claimsOf(callerFromClaims(payload))) : undefined;
}

/** Starts Hive Gateway on a free loopback port over the hub's running subgraphs. */
export async function startHiveGateway(config: HubConfig, options: HiveOptions): Promise<HiveGateway> {
  const secret = config.subgraphSecret;
  const jwtSecret = config.jwtSecret;
  if (!secret || !jwtSecret) throw new Error("Hive Gateway needs the hub's subgraph secret and HS256 token secret");
  const transportEntries = Object.fromEntries(
    Object.entries(config.subgraphUrls).map(([name, url]) => [
      name,
      {
        location: url,
        // Interpolated per subgraph request from the request's context, subscription events' entity fetches included.
        headers: [
          [SECRET_HEADER, secret],
          [CALLER_HEADER, "{context.kawalClaims}"],
        ],
        options: {
          deduplicateInflightRequests: options.inflightMerging ?? true,
          // Our subgraphs serve subscriptions over graphql-ws on the same path (subgraphs/kit/subscription-server.ts).
          subscriptions: { kind: "ws", location: url, options: { connectionParams: { [SECRET_HEADER]: secret, [CALLER_HEADER]: "{context.kawalClaims}" } } },
        },
      },
    ]),
  ) as Record<SubgraphName, object>;
  const hive = hiveModules();
  const runtime = hive.createGatewayRuntime({
    supergraph: committedSupergraph(),
    ...(options.planner === "rust" ? { unifiedGraphHandler: hive.unifiedGraphHandler } : {}),
    transportEntries,
    logging: false,
    landingPage: false,
    graphiql: false,
    plugins: () => [
      hive.useJWT({
        signingKeyProviders: [hive.createInlineSigningKeyProvider(jwtSecret)],
        tokenLookupLocations: [hive.extractFromHeader({ name: "authorization", prefix: "Bearer" }), connectionParamsToken],
        tokenVerification: { algorithms: ["HS256"] },
        // The public may read public fields, as on ours; a bad token is refused.
        reject: { missingToken: false, invalidToken: true },
        forward: { payload: false, token: false },
      }),
      {
        onContextBuilding({ context, extendContext }: { context: KawalContext; extendContext(fields: KawalContext): void }) {
          const claims = forwardedClaims(context.jwt?.payload);
          if (claims) extendContext({ kawalClaims: claims });
        },
      },
    ],
  });
  const server = http.createServer(runtime);
  const sockets = new WebSocketServer({ server, path: runtime.graphqlEndpoint });
  const subscriptions = useServer(hive.getGraphQLWSOptions(runtime, (ctx) => ({ req: ctx.extra?.request, socket: ctx.extra?.socket, connectionParams: ctx.connectionParams })), sockets);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${runtime.graphqlEndpoint}`;
  // The runtime loads its schema on its first HTTP request; a graphql-ws subscribe before that finds none.
  await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
  return {
    url,
    async dispose() {
      for (const client of sockets.clients) client.terminate();
      await subscriptions.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    },
  };
}
