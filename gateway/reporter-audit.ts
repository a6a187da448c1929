import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { subgraphHeaders } from "../caller/claims";
import type { Disclosure } from "../caller/disclosures";
import type { GatewayContext } from "./subgraph-client";

/*
 * Every delivery of a report's reporter (whistleblower identity) is audited where the answer leaves the gateway.
 * The incidents subgraph lists the reports whose reporter an answer holds (caller/disclosures.ts); the data
 * sources gather them into GatewayContext.disclosed; before the answer is sent, this plugin has the identity
 * subgraph record who receives which report, and waits for its commit. Such an answer is never kept by the
 * response cache (response-cache-plugin.ts), so a repeated request is computed, and audited, again. When the
 * audit cannot be stored, the reporter is not delivered: the answer becomes STORAGE_UNAVAILABLE.
 */

export interface DeliveryBatch {
  subject: string;
  clientAddress?: string;
  deliveries: Disclosure[];
}

/** Records a batch of deliveries; rejects when it was not stored. */
export type DeliveryRecorder = (batch: DeliveryBatch) => Promise<void>;

/** The recorder that posts to the identity subgraph's internal route, with the subgraph secret. */
export function identityDeliveryRecorder(identityUrl: string, subgraphSecret: string): DeliveryRecorder {
  const route = new URL("/internal/reporter-deliveries", identityUrl);
  return async (batch) => {
    const response = await fetch(route, {
      method: "POST",
      headers: { "content-type": "application/json", ...subgraphHeaders(subgraphSecret) },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`the identity subgraph answered ${response.status}: ${await response.text()}`);
  };
}

/** The Apollo plugin: audits the answer's disclosures before it is sent, for HTTP and WebSocket operations alike. */
export function reporterAuditPlugin(record: DeliveryRecorder): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const disclosed = contextValue.disclosed;
          if (!disclosed?.length || response.body.kind !== "single") return;
          const deliveries = [...new Map(disclosed.map((item) => [item.reportId, item])).values()];
          try {
            await record({ subject: contextValue.caller?.sub ?? "public", clientAddress: contextValue.clientAddress, deliveries });
          } catch (error) {
            console.error(`reporter audit: not stored, the answer is withheld: ${String(error)}`);
            const refusal = new GraphQLError("the hub could not record who receives this report's reporter, so it is not sent; nothing was changed: send the request again in a moment", {
              extensions: { code: "STORAGE_UNAVAILABLE", retryAfterSeconds: 1 },
            });
            response.body.singleResult = { data: null, errors: [refusal.toJSON()] };
            response.http.status = 503;
          }
        },
      };
    },
  };
}
