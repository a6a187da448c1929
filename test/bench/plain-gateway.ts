import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { CALLER_HEADER, SECRET_HEADER } from "../../subgraphs/kit/caller";
import type { HubConfig, SubgraphName } from "../../subgraphs/kit/config";
import { committedSupergraph } from "../../gateway/server";

/*
 * The baseline of the gateway comparison: a plain @apollo/gateway behind @apollo/server's standalone
 * server, with nothing added (no caches, limits, pools or token checks of our own). Its only addition is
 * what the subgraphs require to answer at all: the subgraph secret, and the caller's claims passed
 * through from the incoming CALLER_HEADER (the benchmark sends them; there is no JWT to verify here, so
 * the baseline does strictly less work per request than our gateway).
 */

interface PlainContext {
  callerClaims?: string;
}

class PlainDataSource extends RemoteGraphQLDataSource<PlainContext> {
  constructor(url: string, private readonly secret: string) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<PlainContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    headers.set(SECRET_HEADER, this.secret);
    const claims = (context as Partial<PlainContext> | undefined)?.callerClaims;
    if (claims) headers.set(CALLER_HEADER, claims);
  }
}

export interface PlainGateway {
  url: string;
  dispose(): Promise<void>;
}

/** Starts the baseline gateway on a free loopback port over the hub's running subgraphs. */
export async function startPlainGateway(config: HubConfig): Promise<PlainGateway> {
  const secret = config.subgraphSecret;
  if (!secret) throw new Error("the plain gateway needs the hub's subgraph secret");
  const gateway = new ApolloGateway({
    supergraphSdl: committedSupergraph(),
    buildService: ({ name }) => new PlainDataSource(config.subgraphUrls[name as SubgraphName], secret),
  });
  const server = new ApolloServer<PlainContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => {
      const claims = req.headers[CALLER_HEADER];
      return { callerClaims: typeof claims === "string" ? claims : undefined };
    },
  });
  return { url, dispose: () => server.stop() };
}
