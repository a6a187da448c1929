/**
 * The gateway's callers as subscription scopes: which callers may share an upstream, and whom a shared
 * upstream acts as towards the subgraphs.
 */
import type { Caller } from "../../caller/claims";
import type { GatewayContext } from "../subgraph-client";
import type { ScopeOptions } from "./engine";

/**
 * What the subgraphs' access rules read of a caller (role, organization, regions, scopes): two agency
 * officers with the same regions see the same alerts, so they share.
 */
function callerScopeKey(caller: Caller): string {
  return [caller.role, caller.org ?? "", [...caller.regions].sort().join(","), [...caller.scopes].sort().join(" ")].join("|");
}

/** A shared upstream outlives any one token, so no `exp`; it serves everyone in the scope, so no personal `sub`. */
function sharedCaller(caller: Caller, scopeKey: string): Caller {
  return { sub: `gateway-subscription:${scopeKey}`, role: caller.role, org: caller.org, regions: [...caller.regions], scopes: [...caller.scopes] };
}

export const callerScope: ScopeOptions<Caller> = {
  key: callerScopeKey,
  shared: sharedCaller,
  // SubgraphClient reads GatewayContext.caller to forward claims on entity fetches.
  dataSourceContext: (caller): GatewayContext => ({ caller }),
};
