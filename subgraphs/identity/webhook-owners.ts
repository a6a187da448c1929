import type { EntityManager } from "typeorm";
import { Webhook } from "./webhook-entities";

/**
 * A webhook acts with the rights its owner had when registering it. When those rights end or change (the
 * partner app revoked, the account disabled, its role or regions changed), the owner's webhooks are disabled
 * in the same transaction, with the reason shown, and their leases dropped, so the gateway delivering them
 * stops at its next renewal; the owner registers again with the rights it has now.
 */
export async function disableWebhooksOf(manager: EntityManager, ownerSubject: string, reason: string): Promise<void> {
  await manager.update(Webhook, { ownerSubject, disabled: false }, { disabled: true, disabledReason: reason, leaseHolder: null, leaseExpiresAt: null });
}
