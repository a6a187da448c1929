/** The webhook parts of the identity subgraph, for its definition (index.ts). */
import { WebhookDispatchResolver } from "./webhook-dispatch";
import { Webhook, WebhookDelivery } from "./webhook-entities";
import { CreateWebhooks1737000000106 } from "./webhook-migration";
import { WebhookResolver } from "./webhooks";

export const webhookEntities = [Webhook, WebhookDelivery];
export const webhookMigrations = [CreateWebhooks1737000000106];
export const webhookResolvers = [WebhookResolver, WebhookDispatchResolver] as const;
