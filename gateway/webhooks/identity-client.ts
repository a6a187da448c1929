/**
 * The dispatcher's side of the identity subgraph's webhook store: leases, assignments and the delivery log,
 * through its @inaccessible fields (sent with the subgraph secret and no caller, as only a gateway can).
 */
import type { IdentityClient } from "../identity-client";

/** A webhook this gateway holds the lease of, as the identity subgraph answers it. */
export interface WebhookAssignment {
  id: string;
  url: string;
  subscription: string;
  /** The Standard Webhooks secret, whsec_... */
  secret: string;
  /** JSON claims of the registering caller. */
  callerClaims: string;
  cursor: string | null;
  testEvents: Array<{ messageId: string; body: string }>;
}

/** One attempt of one message, as the delivery log records it. */
export interface Attempt {
  webhookId: string;
  messageId: string;
  eventType: string;
  /** The alert's cursor; a delivered one becomes the webhook's cursor. Null for a test event. */
  sequence: string | null;
  statusCode: number | null;
  error: string | null;
  /** ISO date-time of the next attempt; null when delivered or given up. */
  nextRetryAt: string | null;
  delivered: boolean;
  /** Disables the webhook, with this reason for its owner. */
  disableReason: string | null;
}

export interface AttemptRecorded {
  /** This gateway still holds the lease: it goes on delivering. */
  held: boolean;
  /** ISO date-time of the message's first attempt (by any gateway). */
  firstAttemptAt: string;
}

export interface WebhookStore {
  /** Renews this holder's leases, takes free and expired ones; answers the webhooks it holds. */
  claim(holder: string, leaseSeconds: number): Promise<WebhookAssignment[]>;
  record(holder: string, attempt: Attempt): Promise<AttemptRecorded>;
  /** Gives up this holder's leases, so other gateways take its webhooks over at once. */
  release(holder: string): Promise<void>;
}

export interface WebhookStoreOptions {
  /** The way to the identity subgraph. Required. */
  identity: IdentityClient;
  /** Longest wait for an answer. Default 5,000 ms. */
  timeoutMs?: number;
}

export function identityWebhookStore(options: WebhookStoreOptions): WebhookStore {
  async function call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const body = await options.identity.graphql<T>(query, variables, { timeoutMs: options.timeoutMs });
    if (!body.data || body.errors?.length) throw new Error(`the identity subgraph refused a webhook operation: ${body.errors?.map((e) => e.message).join("; ") ?? "no data"}`);
    return body.data;
  }

  return {
    async claim(holder, leaseSeconds) {
      const data = await call<{ claimWebhooks: WebhookAssignment[] }>(
        `mutation ($holder: String!, $leaseSeconds: Int!) {
          claimWebhooks(holder: $holder, leaseSeconds: $leaseSeconds) { id url subscription secret callerClaims cursor testEvents { messageId body } }
        }`,
        { holder, leaseSeconds },
      );
      return data.claimWebhooks;
    },
    async record(holder, attempt) {
      const data = await call<{ recordWebhookAttempt: AttemptRecorded }>(
        `mutation ($holder: String!, $webhookId: ID!, $messageId: String!, $eventType: String!, $sequence: String, $statusCode: Int,
                   $error: String, $nextRetryAt: String, $delivered: Boolean!, $disableReason: String) {
          recordWebhookAttempt(holder: $holder, webhookId: $webhookId, messageId: $messageId, eventType: $eventType, sequence: $sequence,
            statusCode: $statusCode, error: $error, nextRetryAt: $nextRetryAt, delivered: $delivered, disableReason: $disableReason) { held firstAttemptAt }
        }`,
        { holder, ...attempt },
      );
      return data.recordWebhookAttempt;
    },
    async release(holder) {
      await call(`mutation ($holder: String!) { releaseWebhookLeases(holder: $holder) }`, { holder });
    },
  };
}
