import type { ApolloServerPlugin } from "@apollo/server";
import type { Disclosure } from "../caller/disclosures";
import type { GatewayContext } from "./subgraph-client";
import { logger } from "../platform/logging";
import type { IdentityClient } from "./identity-client";
import { answered, describedError } from "../platform/errors";
import { message } from "../platform/i18n";

const log = logger("reporter-audit");

/*
 * Every delivery of a report's reporter (whistleblower identity) is audited where the answer leaves the gateway.
 * The incidents subgraph lists the reports whose reporter an answer holds (caller/disclosures.ts); the data
 * sources gather them into GatewayContext.disclosed; before the answer is sent, this plugin has the identity
 * subgraph record who receives which report, and waits for its commit. Such an answer is never kept by the
 * response cache (response-cache-plugin.ts), so a repeated request is computed, and audited, again. When the
 * audit cannot be stored, the reporter is not delivered: the answer becomes STORAGE_UNAVAILABLE.
 */

/** One delivery: who received which report's reporter (and from which address, over HTTP). */
export interface Delivery extends Disclosure {
  /** The receiving token's subject. */
  subject: string;
  clientAddress?: string;
}

/** Records deliveries; rejects when they were not stored. */
export type DeliveryRecorder = (deliveries: Delivery[]) => Promise<void>;

/** Deliveries per request to the identity subgraph (its limit). */
const CHUNK = 500;

/**
 * The recorder that posts to the identity subgraph's internal route, with the subgraph secret. Deliveries recorded
 * in the same turn of the event loop go together (a live alert to 10,000 subscribers is 20 requests, not 10,000),
 * and every caller of the turn waits for all of them to be stored.
 */
export function identityDeliveryRecorder(identity: IdentityClient): DeliveryRecorder {
  const post = async (deliveries: Delivery[]) => {
    await identity.internal("reporter-deliveries", { deliveries });
  };
  let pending: { deliveries: Delivery[]; stored: Promise<void> } | undefined;
  return (deliveries) => {
    if (!pending) {
      const batch: Delivery[] = [];
      const stored = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        pending = undefined;
        const chunks = Array.from({ length: Math.ceil(batch.length / CHUNK) }, (_, index) => batch.slice(index * CHUNK, (index + 1) * CHUNK));
        await Promise.all(chunks.map(post));
      });
      pending = { deliveries: batch, stored };
    }
    pending.deliveries.push(...deliveries);
    return pending.stored;
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
            const subject = contextValue.caller?.sub ?? "public";
            await record(deliveries.map((delivery) => ({ ...delivery, subject, clientAddress: contextValue.clientAddress })));
          } catch (error) {
            log.error({ err: error }, "not stored: the answer is withheld");
            const refusal = describedError(message("audit.unavailable"), { code: "STORAGE_UNAVAILABLE", retryAfterSeconds: 1 });
            response.body.singleResult = { data: null, errors: [answered(refusal)] };
            response.http.status = 503;
          }
        },
      };
    },
  };
}
