import { Arg, Ctx, Directive, ID, Int, Mutation, Resolver } from "type-graphql";
import { Brackets, EntityManager, IsNull, LessThan, Not } from "typeorm";
import { forbidden } from "../../platform/errors";
import { recordId } from "../kit/validate";
import type { IdentityContext } from "./state";
import { Webhook, WebhookAssignment, WebhookAttemptRecorded, WebhookDelivery } from "./webhook-entities";
import { message } from "../../platform/i18n";

/*
 * What the gateways' webhook dispatchers ask of this subgraph: leases (at most one gateway delivers to a
 * webhook at a time), the delivery log and each webhook's cursor. These fields are @inaccessible: they are
 * not in the public API, so only a caller holding the subgraph secret reaches them, and only without a
 * forwarded caller (a client's request through the gateway always carries one or is refused by the API schema).
 */

function requireDispatcher(context: IdentityContext, action: string): void {
  if (context.caller !== null) throw forbidden(message("access.webhookDispatcherOnly", { action }));
}

/** Messages kept in each webhook's delivery log; older ones are dropped as new ones are delivered. */
const DELIVERIES_KEPT = 100;

async function pruneDeliveries(manager: EntityManager, webhookId: number): Promise<void> {
  const [oldestKept] = await manager.find(WebhookDelivery, { where: { webhookId }, order: { id: "DESC" }, skip: DELIVERIES_KEPT - 1, take: 1, select: { id: true } });
  if (oldestKept) await manager.delete(WebhookDelivery, { webhookId, id: LessThan(oldestKept.id) });
}

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

@Resolver()
export class WebhookDispatchResolver {
  /**
   * Renews the leases `holder` holds and takes those free or expired, then answers every enabled webhook it
   * holds, with its test events waiting to be sent.
   */
  @Directive("@inaccessible")
  @Mutation(() => [WebhookAssignment])
  async claimWebhooks(
    @Arg("holder") holder: string,
    @Arg("leaseSeconds", () => Int) leaseSeconds: number,
    @Ctx() context: IdentityContext,
  ): Promise<WebhookAssignment[]> {
    requireDispatcher(context, "claimWebhooks");
    const now = new Date().toISOString();
    const until = later(leaseSeconds * 1000);
    // One conditional UPDATE: of two gateways racing for a webhook, the database lets one through.
    await context.storage.write((manager) =>
      manager
        .createQueryBuilder()
        .update(Webhook)
        .set({ leaseHolder: holder, leaseExpiresAt: until })
        .where("disabled = 0") // a number: SQLite binds no booleans, and both engines store the flag as 0/1
        .andWhere(new Brackets((free) => free.where("leaseHolder IS NULL").orWhere("leaseHolder = :holder", { holder }).orWhere("leaseExpiresAt < :now", { now })))
        .execute(),
    );
    const webhooks = await context.db.getRepository(Webhook).find({ where: { disabled: false, leaseHolder: holder }, order: { id: "ASC" } });
    if (webhooks.length === 0) return [];
    const tests = await context.db.getRepository(WebhookDelivery).find({
      where: webhooks.map(({ id }) => ({ webhookId: id, pendingBody: Not(IsNull()) })),
      order: { id: "ASC" },
    });
    return webhooks.map((webhook) => ({
      id: String(webhook.id),
      url: webhook.url,
      subscription: webhook.subscription,
      secret: webhook.secret,
      callerClaims: webhook.callerClaims,
      cursor: webhook.cursor,
      testEvents: tests.filter((test) => test.webhookId === webhook.id).map((test) => ({ messageId: test.messageId, body: test.pendingBody! })),
    }));
  }

  /**
   * Records one attempt of a message. A delivered alert moves the webhook's cursor to its sequence; a
   * `disableReason` disables the webhook. Both only while `holder` holds the lease.
   */
  @Directive("@inaccessible")
  @Mutation(() => WebhookAttemptRecorded)
  async recordWebhookAttempt(
    @Arg("holder") holder: string,
    @Arg("webhookId", () => ID) webhookIdText: string,
    @Arg("messageId") messageId: string,
    @Arg("eventType") eventType: string,
    @Arg("sequence", () => String, { nullable: true }) sequence: string | null,
    @Arg("statusCode", () => Int, { nullable: true }) statusCode: number | null,
    @Arg("error", () => String, { nullable: true }) error: string | null,
    @Arg("nextRetryAt", () => String, { nullable: true }) nextRetryAt: string | null,
    @Arg("delivered") delivered: boolean,
    @Arg("disableReason", () => String, { nullable: true }) disableReason: string | null,
    @Ctx() context: IdentityContext,
  ): Promise<WebhookAttemptRecorded> {
    requireDispatcher(context, "recordWebhookAttempt");
    const webhookId = recordId("webhookId", webhookIdText);
    const now = new Date().toISOString();
    return context.storage.write(async (manager) => {
      const webhook = await manager.findOneBy(Webhook, { id: webhookId, leaseHolder: holder, disabled: false });
      if (!webhook) return { held: false, firstAttemptAt: now };
      const existing = await manager.findOneBy(WebhookDelivery, { webhookId, messageId });
      const delivery = existing ?? manager.create(WebhookDelivery, { webhookId, messageId, eventType, sequence, attempts: 0, createdAt: now, deliveredAt: null });
      delivery.attempts += 1;
      delivery.statusCode = statusCode;
      delivery.lastError = error?.slice(0, 500) ?? null;
      delivery.nextRetryAt = nextRetryAt;
      delivery.deliveredAt = delivered ? now : null;
      // A test event is sent until it is delivered or its retries end; then it is no longer pending.
      if (delivered || nextRetryAt === null) delivery.pendingBody = null;
      await manager.save(delivery);
      if (delivered && sequence !== null) {
        await manager.update(Webhook, { id: webhookId }, { cursor: sequence });
        await pruneDeliveries(manager, webhookId);
      }
      if (disableReason !== null) await manager.update(Webhook, { id: webhookId }, { disabled: true, disabledReason: disableReason.slice(0, 500), leaseHolder: null, leaseExpiresAt: null });
      return { held: disableReason === null, firstAttemptAt: delivery.createdAt };
    });
  }

  /** Gives up every lease of `holder` (a gateway stopping), so another gateway takes its webhooks over at once. */
  @Directive("@inaccessible")
  @Mutation(() => Int)
  async releaseWebhookLeases(@Arg("holder") holder: string, @Ctx() context: IdentityContext): Promise<number> {
    requireDispatcher(context, "releaseWebhookLeases");
    const result = await context.storage.write((manager) => manager.update(Webhook, { leaseHolder: holder }, { leaseHolder: null, leaseExpiresAt: null }));
    return result.affected ?? 0;
  }
}
