/**
 * A webhook's subscription is checked at registration like any subscription: against the API schema and
 * the gateway's limits (the engine's prepare) and against the registering caller's rights (the gateway's
 * subscription rule), so the caller hears why at once and nothing is stored. The identity subgraph, which
 * stores it, checks who may register, the URL and that it is an incidentAlerts subscription.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind } from "graphql";
import type { Caller, MaybeCaller } from "../../caller/claims";
import { badInput, forbiddenInput, messageOf } from "../../platform/errors";
import { message } from "../../platform/i18n";
import type { GatewayContext } from "../subgraph-client";
import { alertSubscriptionPolicy } from "../subscriptions/alert-access";
import type { SubscriptionEngine } from "../subscriptions/engine";
import { authorizeSubscription } from "../subscriptions/policies/authorize";

/** Why the document cannot be a webhook of this caller, or null. */
export function webhookSubscriptionRefusal(engine: SubscriptionEngine<Caller>, caller: MaybeCaller, text: string): GraphQLError | null {
  const prepared = engine.prepare(text);
  if (!prepared.ok) return badInput("subscription", message("rule.webhookSubscriptionValid", { detail: prepared.errors[0]?.message ?? "invalid" }));
  // Queries and mutations are refused by the identity subgraph's rule, which names incidentAlerts.
  if (prepared.operation.kind !== "subscription") return null;
  const authorized = authorizeSubscription(alertSubscriptionPolicy, caller, prepared.operation);
  if (authorized.ok) return null;
  return forbiddenInput("subscription", messageOf(authorized.error) ?? message("rule.webhookSubscriptionValid", { detail: authorized.error.message }));
}

/** Refuses a registerWebhook whose subscription does not pass `webhookSubscriptionRefusal`. */
export function webhookRegistrationPlugin(engine: () => SubscriptionEngine<Caller>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, contextValue }) {
          if (operation?.operation !== "mutation") return;
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD || selection.name.value !== "registerWebhook") continue;
            const value = selection.arguments?.find((argument) => argument.name.value === "subscription")?.value;
            const text = value?.kind === Kind.STRING ? value.value : value?.kind === Kind.VARIABLE ? request.variables?.[value.name.value] : undefined;
            // Anything else is not a String: validation has refused it already.
            if (typeof text !== "string") continue;
            const refusal = webhookSubscriptionRefusal(engine(), contextValue.caller, text);
            if (refusal) throw refusal;
          }
        },
      };
    },
  };
}
