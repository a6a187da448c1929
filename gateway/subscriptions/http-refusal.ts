/**
 * A subscription that reaches the plain HTTP endpoint (a POST that accepts only JSON, a GET) cannot be
 * served there: @apollo/gateway would answer 500 "Execution of subscriptions not supported by gateway",
 * Apollo Server a GET with 405. This Apollo Server plugin answers 406 instead, naming the three ways that
 * do serve it.
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequest } from "@apollo/server";
import { answered, describedError } from "../../platform/errors";
import { Message, message } from "../../platform/i18n";

/** The message of the refusal, with the WebSocket URL of `host` (the request's Host header). */
export function subscriptionTransports(host: string | undefined, path = "/graphql"): Message {
  return message("subscription.transports", { ws: host ? `ws://${host}${path}` : `ws://<this host>${path}`, path });
}

const refusal = (request: GraphQLRequest, path: string | undefined) =>
  describedError(subscriptionTransports(request.http?.headers.get("host"), path), { code: "OPERATION_NOT_SUPPORTED" });

export function subscriptionRefusalPlugin(path?: string): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        // A POST: refused before the gateway tries to execute it.
        async didResolveOperation({ operation, request }) {
          if (operation?.operation !== "subscription") return;
          throw refusal(request, path);
        },
        // A GET is refused by Apollo Server before didResolveOperation: its answer is replaced.
        async willSendResponse({ operation, request, response }) {
          if (operation?.operation !== "subscription" || response.body.kind !== "single") return;
          response.body.singleResult = { errors: [answered(refusal(request, path))] };
          response.http.status = 406;
          response.http.headers.delete("allow");
        },
      };
    },
  };
}
