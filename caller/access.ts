import type { Caller, MaybeCaller } from "./claims";
import { message, MessageParam } from "../platform/i18n";

/*
 * The access-rule helpers every subgraph (and the gateway's subscription policy) applies to a Caller. The
 * rules themselves live with the data they guard; these say what "inside your regions", "for your
 * organization" and "with this scope" mean, once.
 */

/** True when a region code lies inside one of the prefixes ("19.06" covers "19.06.01" but not "19.061"). */
export function regionWithin(code: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => code === prefix || code.startsWith(prefix + "."));
}

/** An AGENCY caller whose regions cover the code. */
export function isAgencyFor(caller: MaybeCaller, regionCode: string): boolean {
  return caller?.role === "AGENCY" && regionWithin(regionCode, caller.regions);
}

/** The caller acts for this organization (its own token). */
export function actsFor(caller: MaybeCaller, organizationId: string): boolean {
  return caller !== null && caller.org === organizationId;
}

/**
 * Access rules as `@Authorized(...)` takes them: a role name lets that role in; "scope:<name>" lets in an
 * INTEGRATOR holding the scope; no rules let in any caller with a token.
 */
export function passesRules(caller: Caller, rules: readonly string[]): boolean {
  if (rules.length === 0 || rules.includes(caller.role)) return true;
  return caller.role === "INTEGRATOR" && rules.some((rule) => rule.startsWith("scope:") && caller.scopes.includes(rule.slice(6)));
}

/** The rules in words, for error messages: "AGENCY or INTEGRATOR with scope subscribe:alerts". */
export function describeRules(rules: readonly string[]): MessageParam {
  const each = rules.map((rule): MessageParam => {
    const scope = /^scope:(.*)$/.exec(rule);
    return scope ? message("rules.integratorWithScope", { scope: scope[1] }) : rule;
  });
  // "A or B or C", in the reader's language.
  return each.length === 0 ? "" : each.slice(1).reduce<MessageParam>((all, next) => message("rules.or", { first: all, second: next }), each[0]);
}

/** Who may receive live alerts and replay them: agencies, and integrators granted subscribe:alerts. */
export const ALERT_SUBSCRIBERS = ["AGENCY", "scope:subscribe:alerts"];

/** An INTEGRATOR with the scope, or any AGENCY/ORMAS caller (scopes only narrow integrators). */
export function mayRead(caller: MaybeCaller, scope: string): boolean {
  if (caller === null) return false;
  return caller.role !== "INTEGRATOR" || caller.scopes.includes(scope);
}
