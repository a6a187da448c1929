import crypto from "node:crypto";
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { DocumentNode, Kind, OperationDefinitionNode, parse } from "graphql";
import type { Caller } from "../../caller/claims";
import { claimsOf } from "../../caller/claims";
import { badInput, forbidden } from "../../platform/errors";
import { checkUrl, OutboundRefused } from "../../platform/outbound";
import { requireCaller } from "../kit/context";
import { recordId } from "../kit/validate";
import { requireAdministrator } from "./administration";
import { Account, AccountRole, Integration } from "./entities";
import { accountIdOf } from "./sessions";
import type { IdentityContext } from "./state";
import { RegisteredWebhook, Webhook, WebhookDelivery } from "./webhook-entities";
import { Message, message } from "../../platform/i18n";

/*
 * Webhooks as their owners see them: registration, the list with recent deliveries, a test event, disabling
 * and deletion. The gateway validates the subscription document against the API schema and the caller's
 * rights before a registration reaches this subgraph; here are the rules that hold whoever calls: who may
 * register, the URL policy, and that the document is one incidentAlerts subscription.
 */

/** Webhooks one owner may hold. */
const MAX_WEBHOOKS_PER_OWNER = 20;
/** Longest subscription document stored. */
const MAX_DOCUMENT_LENGTH = 10_000;
/** Deliveries listed per webhook at most. */
const MAX_DELIVERIES_LISTED = 100;

/** A partner app with subscribe:alerts, or an AGENCY administrator account; FORBIDDEN otherwise. */
async function requireRegistrant(context: IdentityContext): Promise<Caller> {
  const caller = requireCaller(context);
  if (caller.role === "INTEGRATOR" && caller.scopes.includes("subscribe:alerts")) return caller;
  if (caller.role === "AGENCY") {
    const admin = await requireAdministrator(context, "registerWebhook");
    if (admin.role === AccountRole.AGENCY) return caller;
  }
  throw forbidden(message("access.registerWebhook", { role: caller.role === "INTEGRATOR" ? message("word.integratorWithoutAlerts") : caller.role }));
}

/** The URL under the hub's outbound policy (production: https to public addresses), or BAD_USER_INPUT naming `url`. */
async function receiverUrl(context: IdentityContext, raw: string): Promise<string> {
  if (raw.length > 2000) throw badInput("url", message("rule.maxLength", { max: 2000 }));
  try {
    return (await checkUrl(raw.trim(), { production: context.config.production })).toString();
  } catch (error) {
    if (error instanceof OutboundRefused) throw badInput("url", error.rule);
    throw error;
  }
}

/** Why the owner behind `ownerSubject` may no longer have webhooks delivered (revoked app, disabled account), or null. */
async function ownerEnded(context: IdentityContext, ownerSubject: string): Promise<Message | null> {
  const clientId = /^integration:(.+)$/.exec(ownerSubject)?.[1];
  if (clientId !== undefined) {
    const app = await context.db.getRepository(Integration).findOneBy({ clientId });
    return app === null || app.revokedAt !== null ? message("why.appRevoked") : null;
  }
  const accountId = accountIdOf(ownerSubject);
  if (accountId !== null) {
    const account = await context.db.getRepository(Account).findOneBy({ id: accountId });
    return account === null || account.disabled ? message("why.accountDisabled") : null;
  }
  return null;
}

/** One subscription operation whose only root field is incidentAlerts, needing no variables; else BAD_USER_INPUT naming `subscription`. */
function alertSubscription(text: string): string {
  const field = "subscription";
  if (text.length > MAX_DOCUMENT_LENGTH) throw badInput(field, message("rule.maxLength", { max: MAX_DOCUMENT_LENGTH }));
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    throw badInput(field, message("rule.graphqlDocument", { detail: (error as Error).message }));
  }
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const only = operations.length === 1 ? operations[0] : undefined;
  const roots = only?.selectionSet.selections ?? [];
  if (!only || only.operation !== "subscription" || roots.length !== 1 || roots[0].kind !== Kind.FIELD || roots[0].name.value !== "incidentAlerts") {
    throw badInput(field, message("rule.webhookSubscription"));
  }
  const required = (only.variableDefinitions ?? []).find((definition) => definition.type.kind === Kind.NON_NULL_TYPE && !definition.defaultValue);
  if (required) throw badInput(field, message("rule.noVariables", { variable: required.variable.name.value }));
  return text;
}

/**
 * Where a new webhook starts: after the newest alert now, read as the registering caller, so it receives
 * every alert from its registration on, even one committed before a gateway first picks it up. Before the
 * first alert the incidents subgraph's sequences start after "0".
 */
async function alertHead(context: IdentityContext, caller: Caller): Promise<string> {
  const data = await context.peers.query<{ latestAlertSequence: string | null }>("incidents", "read where the webhook starts", "{ latestAlertSequence }", {}, caller);
  return data.latestAlertSequence ?? "0";
}

/** A Standard Webhooks secret: whsec_ and 24 random bytes in base64. */
function newSigningSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64")}`;
}

/** The caller's webhook with this id; a webhook of someone else is answered as not found. */
async function ownWebhook(context: IdentityContext, id: string): Promise<Webhook> {
  const caller = requireCaller(context);
  const webhook = await context.db.getRepository(Webhook).findOneBy({ id: recordId("id", id), ownerSubject: caller.sub });
  if (!webhook) throw badInput("id", message("rule.yourWebhook"));
  return webhook;
}

@Resolver(() => Webhook)
export class WebhookResolver {
  @FieldResolver(() => [WebhookDelivery], { description: "the most recent messages, newest first" })
  async deliveries(
    @Root() webhook: Webhook,
    @Arg("first", () => Int, { defaultValue: 20, description: `at most ${MAX_DELIVERIES_LISTED}` }) first: number,
    @Ctx() context: IdentityContext,
  ): Promise<WebhookDelivery[]> {
    if (!Number.isInteger(first) || first < 0 || first > MAX_DELIVERIES_LISTED) throw badInput("first", message("rule.wholeNumber", { min: 0, max: MAX_DELIVERIES_LISTED }));
    return context.db.getRepository(WebhookDelivery).find({ where: { webhookId: webhook.id }, order: { id: "DESC" }, take: first });
  }

  @Authorized()
  @Mutation(() => RegisteredWebhook, {
    description: "Partner apps (INTEGRATOR with subscribe:alerts) and AGENCY administrators: POST each alert of `subscription` to `url`, signed (Standard Webhooks)",
  })
  async registerWebhook(
    @Arg("url", { description: "https (production: a public address); http only to loopback in development" }) url: string,
    @Arg("subscription", { description: "a subscription document on incidentAlerts (filter and selection), checked against your rights" }) subscription: string,
    @Ctx() context: IdentityContext,
  ): Promise<RegisteredWebhook> {
    const caller = await requireRegistrant(context);
    const document = alertSubscription(subscription);
    const target = await receiverUrl(context, url);
    if ((await context.db.getRepository(Webhook).countBy({ ownerSubject: caller.sub })) >= MAX_WEBHOOKS_PER_OWNER) {
      throw badInput("url", message("rule.webhooksAtMost", { max: MAX_WEBHOOKS_PER_OWNER }));
    }
    const cursor = await alertHead(context, caller);
    const secret = newSigningSecret();
    const { exp: _expiry, ...claims } = claimsOf(caller);
    const webhook = await context.storage.write((manager) =>
      manager.save(
        manager.create(Webhook, {
          ownerSubject: caller.sub,
          callerClaims: JSON.stringify(claims),
          url: target,
          subscription: document,
          secret,
          cursor,
          disabled: false,
          disabledReason: null,
          createdAt: new Date().toISOString(),
          leaseHolder: null,
          leaseExpiresAt: null,
        }),
      ),
    );
    return { webhook, secret };
  }

  @Authorized()
  @Query(() => [Webhook], { description: "Your webhooks, newest first, with their recent deliveries" })
  async webhooks(@Ctx() context: IdentityContext): Promise<Webhook[]> {
    const caller = requireCaller(context);
    return context.db.getRepository(Webhook).find({ where: { ownerSubject: caller.sub }, order: { id: "DESC" } });
  }

  @Authorized()
  @Mutation(() => WebhookDelivery, { description: 'Queues a "webhook.test" event to your webhook; the gateway sends it within seconds (see its deliveries)' })
  async sendTestWebhookEvent(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<WebhookDelivery> {
    const webhook = await ownWebhook(context, id);
    if (webhook.disabled) throw badInput("id", message("rule.webhookEnabled"));
    const messageId = `msg_test_${crypto.randomUUID()}`;
    const timestamp = new Date().toISOString();
    const body = JSON.stringify({ type: "webhook.test", timestamp, data: { webhookId: String(webhook.id) } });
    return context.storage.write((manager) =>
      manager.save(
        manager.create(WebhookDelivery, {
          webhookId: webhook.id,
          messageId,
          eventType: "webhook.test",
          sequence: null,
          statusCode: null,
          attempts: 0,
          lastError: null,
          nextRetryAt: timestamp,
          deliveredAt: null,
          createdAt: timestamp,
          pendingBody: body,
        }),
      ),
    );
  }

  @Authorized()
  @Mutation(() => Webhook, { description: "Stops deliveries to your webhook; its cursor is kept, so enableWebhook resumes where it stopped" })
  async disableWebhook(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<Webhook> {
    const webhook = await ownWebhook(context, id);
    await context.storage.write((manager) =>
      manager.update(Webhook, { id: webhook.id }, { disabled: true, disabledReason: "disabled by its owner", leaseHolder: null, leaseExpiresAt: null }),
    );
    return { ...webhook, disabled: true, disabledReason: "disabled by its owner", leaseHolder: null, leaseExpiresAt: null };
  }

  @Authorized()
  @Mutation(() => Webhook, { description: "Resumes deliveries to your webhook from its cursor (alerts missed meanwhile are sent)" })
  async enableWebhook(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<Webhook> {
    const webhook = await ownWebhook(context, id);
    // A token outlives its app's revocation by up to its lifetime: it must not bring the webhooks back.
    const ended = await ownerEnded(context, webhook.ownerSubject);
    if (ended) throw forbidden(message("access.enableWebhookEnded", { reason: ended }));
    await context.storage.write((manager) => manager.update(Webhook, { id: webhook.id }, { disabled: false, disabledReason: null }));
    return { ...webhook, disabled: false, disabledReason: null };
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes your webhook and its delivery log" })
  async deleteWebhook(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<boolean> {
    const webhook = await ownWebhook(context, id);
    await context.storage.write(async (manager) => {
      await manager.delete(WebhookDelivery, { webhookId: webhook.id });
      await manager.delete(Webhook, { id: webhook.id });
    });
    return true;
  }
}
