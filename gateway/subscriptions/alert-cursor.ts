/**
 * Where an alert subscription resumes from when it has seen no alert yet: the incidents subgraph's newest
 * alert sequence, read as the subscription's caller scope.
 */
import { GraphQLDataSource, RemoteGraphQLDataSource } from "@apollo/gateway";
import { Caller, subgraphHeaders } from "../../caller/claims";
import type { CursorOptions } from "./engine";

export interface AlertHeadOptions {
  /** Subgraph GraphQL URLs by name. */
  subgraphUrls: Record<string, string>;
  /** Sent to the subgraph with the caller's claims. */
  subgraphSecret: string;
  /**
   * The gateway's data sources by subgraph name: the lookup is sent through the subgraph's one (its fetcher,
   * the gateway's keep-alive pool to it). Default, or for a data source that is not a RemoteGraphQLDataSource:
   * a fetch of its own.
   */
  services?: Record<string, GraphQLDataSource>;
}

/** A cursor head lookup (`CursorOptions.head`) that asks the subscription's subgraph for `latestAlertSequence`. */
export function latestAlertSequence(options: AlertHeadOptions): NonNullable<CursorOptions<Caller>["head"]> {
  return async (serviceName, caller) => {
    const url = options.subgraphUrls[serviceName];
    const request = {
      method: "POST",
      headers: { "content-type": "application/json", ...subgraphHeaders(options.subgraphSecret, caller) },
      body: JSON.stringify({ query: "{ latestAlertSequence }" }),
      signal: AbortSignal.timeout(5000),
    };
    const service = options.services?.[serviceName];
    const response = service instanceof RemoteGraphQLDataSource ? await service.fetcher(url, request) : await fetch(url, request);
    const body = (await response.json()) as { data?: { latestAlertSequence?: string | null } };
    return body.data?.latestAlertSequence ?? undefined;
  };
}
