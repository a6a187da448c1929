import { Webhook, WebhookVerificationError } from "standardwebhooks";

/*
 * A webhook receiver's check, as the Standard Webhooks spec describes it: the hub signs each delivery with the
 * secret it showed once at registration (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 over
 * "id.timestamp.body"). Verify the raw body, before parsing it, and drop deliveries whose webhook-id was seen.
 */

/** The delivery body, parsed, when its signature is the hub's and its timestamp recent (5 minutes); null otherwise. */
export function verifiedDelivery(secret: string, rawBody: string, headers: Record<string, string | undefined>): unknown | null {
  const required = { "webhook-id": headers["webhook-id"] ?? "", "webhook-timestamp": headers["webhook-timestamp"] ?? "", "webhook-signature": headers["webhook-signature"] ?? "" };
  try {
    return new Webhook(secret).verify(rawBody, required);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return null;
    throw error;
  }
}
