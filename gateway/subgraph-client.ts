import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from "@apollo/gateway";
import type { Fetcher } from "@apollo/utils.fetcher";
import { MaybeCaller, subgraphHeaders } from "../subgraphs/kit/caller";

/** The gateway's per-request context. */
export interface GatewayContext {
  /** The verified caller; null for the public. */
  caller: MaybeCaller;
  /** The client's address (HTTP), the rate-limit key of the public; unset for in-process calls. */
  clientAddress?: string;
  /**
   * The subgraphs this request has sent a fetch to, filled in as fetches go out: what a cached answer
   * depends on, and what a mutation may have written (response-cache-plugin.ts).
   */
  subgraphsUsed?: Set<string>;
}

export interface SubgraphClientOptions {
  /** The subgraph's name, recorded in GatewayContext.subgraphsUsed. Default: nothing is recorded. */
  name?: string;
  /** How requests are sent. Default @apollo/gateway's own fetcher (make-fetch-happen). */
  fetcher?: Fetcher;
}

/**
 * A subgraph as the gateway calls it: every request carries the subgraph secret, and the verified
 * caller's claims for the subgraph's own access rules.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly name?: string;

  constructor(
    url: string,
    private readonly secret: string,
    options: SubgraphClientOptions = {},
  ) {
    super(options.fetcher ? { url, fetcher: options.fetcher } : { url });
    this.name = options.name;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const gatewayContext = context as Partial<GatewayContext> | undefined;
    for (const [name, value] of Object.entries(subgraphHeaders(this.secret, gatewayContext?.caller))) headers.set(name, value);
    if (this.name && gatewayContext) (gatewayContext.subgraphsUsed ??= new Set()).add(this.name);
  }
}
