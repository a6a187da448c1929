/** Webhooks on the gateway: the dispatcher that delivers them and the check of their registration. */
export { identityWebhookStore } from "./identity-client";
export type { WebhookAssignment, WebhookStore } from "./identity-client";
export { startWebhookDispatcher, DEFAULT_RETRY } from "./dispatcher";
export type { WebhookDispatcher, WebhookDispatcherOptions } from "./dispatcher";
export { webhookRegistrationPlugin, webhookSubscriptionRefusal } from "./registration";
export { retryDelay } from "./receiver";
export type { RetryOptions } from "./receiver";
