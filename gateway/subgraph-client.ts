import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from "@apollo/gateway";
import { MaybeCaller, subgraphHeaders } from "../subgraphs/kit/caller";

/** The gateway's per-request context. */
export interface GatewayContext {
  /** The verified caller; null for the public. */
  caller: MaybeCaller;
  /** The client's address (HTTP), the rate-limit key of the public; unset for in-process calls. */
  clientAddress?: string;
}

/**
 * A subgraph as the gateway calls it: every request carries the subgraph secret, and the verified
 * caller's claims for the subgraph's own access rules.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly secret: string) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const caller = (context as Partial<GatewayContext> | undefined)?.caller;
    for (const [name, value] of Object.entries(subgraphHeaders(this.secret, caller))) headers.set(name, value);
  }
}
