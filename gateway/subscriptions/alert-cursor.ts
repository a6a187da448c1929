/**
 * Where an alert subscription resumes from when it has seen no alert yet: the incidents subgraph's newest
 * alert sequence, read as the subscription's caller scope.
 */
import { Caller, subgraphHeaders } from "../../caller/claims";
import type { CursorOptions } from "./engine";

export interface AlertHeadOptions {
  /** Subgraph GraphQL URLs by name. */
  subgraphUrls: Record<string, string>;
  /** Sent to the subgraph with the caller's claims. */
  subgraphSecret: string;
}

/** A cursor head lookup (`CursorOptions.head`) that asks the subscription's subgraph for `latestAlertSequence`. */
export function latestAlertSequence(options: AlertHeadOptions): NonNullable<CursorOptions<Caller>["head"]> {
  return async (serviceName, caller) => {
    const response = await fetch(options.subgraphUrls[serviceName], {
      method: "POST",
      headers: { "content-type": "application/json", ...subgraphHeaders(options.subgraphSecret, caller) },
      body: JSON.stringify({ query: "{ latestAlertSequence }" }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { data?: { latestAlertSequence?: string | null } };
    return body.data?.latestAlertSequence ?? undefined;
  };
}
