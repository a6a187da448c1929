import crypto from "node:crypto";

/**
 * Who is calling. The gateway verifies the bearer token and forwards its claims to the subgraphs in
 * CALLER_HEADER; subgraphs believe that header only on requests that carry the subgraph secret.
 */
export const ROLES = ["AGENCY", "ORMAS", "INTEGRATOR"] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** Token subject (a person or a service account). */
  sub: string;
  role: Role;
  /** The caller's Organization id; integrators may have none. */
  org?: string;
  /** Region-code prefixes the caller may act in, e.g. ["19.06"]. */
  regions: string[];
  /** Integrator scopes, e.g. "read:incidents", "subscribe:alerts". */
  scopes: string[];
  /** Token expiry, seconds since the epoch. */
  exp?: number;
}

/** The public: no token. */
export type MaybeCaller = Caller | null;

export const CALLER_HEADER = "x-kawal-caller";
export const SECRET_HEADER = "x-kawal-subgraph-secret";
/** The client's address as the gateway saw it (sign-in slows down repeated failures per address). */
export const CLIENT_ADDRESS_HEADER = "x-kawal-client-address";

/**
 * What a request to a subgraph carries (HTTP headers, or graphql-ws connectionParams): the subgraph
 * secret, and the caller's claims when there is a caller.
 */
export function subgraphHeaders(secret: string, caller?: MaybeCaller): Record<string, string> {
  return caller ? { [SECRET_HEADER]: secret, [CALLER_HEADER]: JSON.stringify(claimsOf(caller)) } : { [SECRET_HEADER]: secret };
}

/** The subgraph secret check (HTTP header or WebSocket connectionParams), in constant time. */
export function secretMatches(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

const REGION_PREFIX = /^\d{2}(\.\d{2}){0,2}(\.\d{4})?$/;

/** Thrown when claims do not describe a caller; the message names the claim. */
export class ClaimsError extends Error {}

function stringClaim(claims: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = claims[name];
  if (value === undefined || value === null) {
    if (required) throw new ClaimsError(`token claim "${name}" is missing`);
    return undefined;
  }
  if (typeof value !== "string" && typeof value !== "number") throw new ClaimsError(`token claim "${name}" must be a string`);
  return String(value);
}

/** Turns verified token claims (or the forwarded header) into a Caller. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const sub = stringClaim(claims, "sub", true)!;
  const role = stringClaim(claims, "role", true)!;
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new ClaimsError(`token claim "role" must be one of ${ROLES.join(", ")}`);
  }
  const org = stringClaim(claims, "org", false);
  if (role !== "INTEGRATOR" && org === undefined) throw new ClaimsError(`token claim "org" is required for ${role}`);
  const rawRegions = claims.regions ?? [];
  if (!Array.isArray(rawRegions) || !rawRegions.every((r) => typeof r === "string" && REGION_PREFIX.test(r))) {
    throw new ClaimsError(`token claim "regions" must be a list of region codes such as "19.06"`);
  }
  const rawScope = claims.scope ?? "";
  if (typeof rawScope !== "string") throw new ClaimsError(`token claim "scope" must be a space-separated string`);
  const exp = typeof claims.exp === "number" ? claims.exp : undefined;
  return { sub, role: role as Role, org, regions: rawRegions, scopes: rawScope.split(/\s+/).filter(Boolean), exp };
}

/** The claims form of a caller, as forwarded to subgraphs and signed into tokens. */
export function claimsOf(caller: Caller): Record<string, unknown> {
  return {
    sub: caller.sub,
    role: caller.role,
    org: caller.org,
    regions: caller.regions,
    scope: caller.scopes.join(" "),
    ...(caller.exp === undefined ? {} : { exp: caller.exp }),
  };
}
