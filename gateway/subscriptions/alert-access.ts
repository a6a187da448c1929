/**
 * Who may subscribe to live alerts on the gateway: the incidents subgraph's own rule (ALERT_SUBSCRIBERS),
 * checked at subscribe time so a refused client hears why at once, on an open connection, instead of from
 * the subgraph after an upstream round trip. Transports receive it as their `authorize` option.
 */
import { ALERT_SUBSCRIBERS, describeRules, passesRules } from "../../caller/access";
import { forbidden, unauthenticated } from "../../platform/errors";
import type { SubscriptionAuthorizer } from "./policies/authorize";
import { message } from "../../platform/i18n";

/** The rule of Subscription.incidentAlerts: AGENCY, or INTEGRATOR with scope subscribe:alerts. Queries and mutations pass. */
export const alertSubscriptionPolicy: SubscriptionAuthorizer = (caller, operation) => {
  if (operation.kind !== "subscription") return null;
  const what = `Subscription.${operation.rootFields[0] ?? "?"}`;
  const allowed = describeRules(ALERT_SUBSCRIBERS);
  if (!caller) {
    return unauthenticated(message("access.alertsNeedToken", { what, allowed }));
  }
  if (passesRules(caller, ALERT_SUBSCRIBERS)) return null;
  return forbidden(message("access.isFor", { what, allowed, role: caller.role === "INTEGRATOR" ? message("word.integratorWithoutAlerts") : caller.role }));
};
