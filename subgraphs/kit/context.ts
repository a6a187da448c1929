import type { IncomingMessage } from "node:http";
import type { DataSource } from "typeorm";
import type { AuthCheckerFn } from "type-graphql";
import type { HubConfig } from "./config";
import { CALLER_HEADER, Caller, MaybeCaller, callerFromClaims } from "./caller";
import { Loaders } from "./loaders";
import { forbidden, unauthenticated } from "./errors";
import { idOrNull } from "./references";

/** What every resolver of every subgraph gets. */
export interface SubgraphContext {
  /** The verified caller forwarded by the gateway; null for the public. */
  caller: MaybeCaller;
  db: DataSource;
  loaders: Loaders;
  /** The hub's configuration (where the other subgraphs are, for reference checks). */
  config: HubConfig;
}

/** The caller forwarded by the gateway (the subgraph secret was already checked). */
export function callerFromRequest(req: IncomingMessage): MaybeCaller {
  const header = req.headers[CALLER_HEADER];
  if (typeof header !== "string" || header === "") return null;
  return callerFromClaims(JSON.parse(header) as Record<string, unknown>);
}

export function contextFor(caller: MaybeCaller, db: DataSource, config: HubConfig): SubgraphContext {
  return { caller, db, loaders: new Loaders(db), config };
}

/** Throws unless there is a caller; returns it. */
export function requireCaller(context: SubgraphContext): Caller {
  if (!context.caller) throw unauthenticated();
  return context.caller;
}

/** The caller's organization id: writes (reports, reviews, declarations) are always on behalf of one. */
export function callerOrganizationId(caller: Caller, action: string): number {
  const id = idOrNull(caller.org);
  if (id === null) throw forbidden(`${action} needs a token whose org claim is an organization id of this hub`);
  return id;
}

/**
 * `@Authorized(...)` rules: a role name lets that role in; "scope:<name>" lets in an INTEGRATOR holding the
 * scope; no names lets in any caller with a token. The error says which roles the field is for.
 */
export const authChecker: AuthCheckerFn<SubgraphContext> = ({ context, info }, rules) => {
  const caller = context.caller;
  const what = `${info.parentType.name}.${info.fieldName}`;
  const allowed = rules.map((rule) => rule.replace(/^scope:(.*)$/, "INTEGRATOR with scope $1")).join(" or ");
  if (!caller) throw unauthenticated(`${what} needs a bearer token${allowed ? ` (${allowed})` : ""}`);
  if (rules.length === 0 || rules.includes(caller.role)) return true;
  if (caller.role === "INTEGRATOR" && rules.some((rule) => rule.startsWith("scope:") && caller.scopes.includes(rule.slice(6)))) {
    return true;
  }
  throw forbidden(`${what} is for ${allowed}; your token is ${caller.role}`);
};
