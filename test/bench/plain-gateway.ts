import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { CALLER_HEADER, callerFromClaims } from "../../caller/claims";
import type { HubConfig, SubgraphName } from "../../platform/config";
import { committedSupergraph } from "../../gateway/server";
import { GatewayContext, SubgraphClient } from "../../gateway/subgraph-client";

/*
 * The baseline of the gateway comparison: a plain @apollo/gateway behind @apollo/server's standalone
 * server, with nothing added (no caches, limits, pools or token checks of our own). Its only addition is
 * what the subgraphs require to answer at all: our SubgraphClient data source (the subgraph secret and the
 * caller's claims), the claims taken unverified from the incoming CALLER_HEADER (the benchmark sends them;
 * there is no JWT to verify here, so the baseline does strictly less work per request than our gateway).
 */

export interface PlainGateway {
  url: string;
  dispose(): Promise<void>;
}

/**
 * Starts the baseline gateway on a free loopback port over the hub's running subgraphs. It runs in the
 * benchmark's process, as ours does (the subgraphs run in their own), and the two are measured one at a time.
 */
export async function startPlainGateway(config: HubConfig): Promise<PlainGateway> {
  const secret = config.subgraphSecret;
  if (!secret) throw new Error("the plain gateway needs the hub's subgraph secret");
  const gateway = new ApolloGateway({
    supergraphSdl: committedSupergraph(),
    buildService: ({ name }) => new SubgraphClient(config.subgraphUrls[name as SubgraphName], secret),
  });
  const server = new ApolloServer<GatewayContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => {
      const claims = req.headers[CALLER_HEADER];
      return { caller: typeof claims === "string" ? callerFromClaims(JSON.parse(claims) as Record<string, unknown>) : null };
    },
  });
  return { url, dispose: () => server.stop() };
}
