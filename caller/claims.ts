import crypto from "node:crypto";
import { Message, message, render } from "../platform/i18n";

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
/** A token whose claims the hub cannot read; `text` says which claim, in any language. */
export class ClaimsError extends Error {
  constructor(readonly text: Message) {
    super(render(text));
  }
}

function stringClaim(claims: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = claims[name];
  if (value === undefined || value === null) {
    if (required) throw new ClaimsError(message("claim.missing", { name }));
    return undefined;
  }
  if (typeof value !== "string" && typeof value !== "number") throw new ClaimsError(message("claim.string", { name }));
  return String(value);
}

/** Turns verified token claims (or the forwarded header) into a Caller. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const sub = stringClaim(claims, "sub", true)!;
  const role = stringClaim(claims, "role", true)!;
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new ClaimsError(message("claim.role", { roles: ROLES.join(", ") }));
  }
  const org = stringClaim(claims, "org", false);
  if (role !== "INTEGRATOR" && org === undefined) throw new ClaimsError(message("claim.orgRequired", { role }));
  const rawRegions = claims.regions ?? [];
  if (!Array.isArray(rawRegions) || !rawRegions.every((r) => typeof r === "string" && REGION_PREFIX.test(r))) {
    throw new ClaimsError(message("claim.regions"));
  }
  const rawScope = claims.scope ?? "";
  if (typeof rawScope !== "string") throw new ClaimsError(message("claim.scope"));
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
