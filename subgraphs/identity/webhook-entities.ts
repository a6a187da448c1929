import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/**
 * A webhook: a persisted incidentAlerts subscription whose events the gateway's dispatcher POSTs to a
 * partner's URL. The lease columns say which gateway delivers to it now (at most one at a time).
 */
@ObjectType({ description: "A persisted alert subscription delivered by POST to a partner's URL (Standard Webhooks)" })
@Entity("webhooks")
export class Webhook {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  /** Token subject of the caller that registered it: the owner, the only one who sees, tests, disables or deletes it. */
  @Column({ type: "varchar", length: 200 }) ownerSubject: string;
  /** The registering caller's claims (JSON, without expiry): the rights every delivery acts with. */
  @Column({ type: "text" }) callerClaims: string;
  @Field({ description: "where events are POSTed" }) @Column({ type: "varchar", length: 2000 }) url: string;
  @Field({ description: "the subscription document on incidentAlerts: its filter and its selection make each delivery's data" })
  @Column({ type: "text" })
  subscription: string;
  /** The Standard Webhooks signing secret (whsec_...): shown once at registration, otherwise only to the gateway's dispatcher. */
  @Column({ type: "varchar", length: 100 }) secret: string;
  @Field(() => String, { nullable: true, description: "deliveries resume after this alert sequence: the last one the receiver acknowledged (2xx), or the newest at registration" })
  @Column({ type: "varchar", length: 40, nullable: true })
  cursor: string | null;
  @Field() @Column({ type: "boolean" }) disabled: boolean;
  @Field(() => String, { nullable: true, description: "why it was disabled: by its owner, or after failing deliveries for too long" })
  @Column({ type: "varchar", length: 500, nullable: true })
  disabledReason: string | null;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) createdAt: string;
  /** The gateway delivering to it now; null when none. */
  @Column({ type: "varchar", length: 100, nullable: true }) leaseHolder: string | null;
  /** Until when that gateway holds it (ISO date-time); another gateway takes it over after. */
  @Column({ type: "varchar", length: 24, nullable: true }) leaseExpiresAt: string | null;
}

/** One message to a webhook and how its delivery went; retries update the same row. */
@ObjectType({ description: "One message sent to a webhook: each retry updates it" })
@Entity("webhook_deliveries")
export class WebhookDelivery {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: "integer" }) webhookId: number;
  @Field({ description: "the webhook-id header: the same on every retry, so receivers drop duplicates by it" })
  @Column({ type: "varchar", length: 80 })
  messageId: string;
  @Field({ description: '"incident.alert", "webhook.test", or "webhook.disabled" (the entry saying why the hub disabled the webhook)' }) @Column({ type: "varchar", length: 30 }) eventType: string;
  @Field(() => String, { nullable: true, description: "the alert's sequence; null for a test event" })
  @Column({ type: "varchar", length: 40, nullable: true })
  sequence: string | null;
  @Field(() => Int, { nullable: true, description: "the receiver's last HTTP status; null when it gave none (timeout, refused connection)" })
  @Column({ type: "integer", nullable: true })
  statusCode: number | null;
  @Field(() => Int, { description: "attempts so far" }) @Column({ type: "integer" }) attempts: number;
  @Field(() => String, { nullable: true, description: "what went wrong on the last attempt" })
  @Column({ type: "varchar", length: 500, nullable: true })
  lastError: string | null;
  @Field(() => String, { nullable: true, description: "ISO date-time of the next attempt; null when delivered or not retried" })
  @Column({ type: "varchar", length: 24, nullable: true })
  nextRetryAt: string | null;
  @Field(() => String, { nullable: true, description: "ISO date-time the receiver acknowledged it (2xx)" })
  @Column({ type: "varchar", length: 24, nullable: true })
  deliveredAt: string | null;
  @Field({ description: "ISO date-time of the first attempt (or, for a test event, of the request)" }) @Column({ type: "varchar", length: 24 }) createdAt: string;
  /** The body of a test event waiting for the dispatcher; null once sent, and for alerts (the alert table holds them). */
  @Column({ type: "text", nullable: true }) pendingBody: string | null;
}

/** A registration's answer: the webhook and its signing secret, shown this once. */
@ObjectType()
export class RegisteredWebhook {
  @Field(() => Webhook) webhook: Webhook;
  @Field({ description: "the Standard Webhooks signing secret (whsec_...): shown once, keep it to verify webhook-signature" })
  secret: string;
}

/** A test event for the dispatcher to send. Gateway only. */
@Directive("@inaccessible")
@ObjectType()
export class WebhookTestEvent {
  @Field() messageId: string;
  @Field() body: string;
}

/** What a gateway's dispatcher needs of a webhook it holds the lease of. Gateway only. */
@Directive("@inaccessible")
@ObjectType()
export class WebhookAssignment {
  @Field(() => ID) id: string;
  @Field() url: string;
  @Field() subscription: string;
  @Field() secret: string;
  @Field({ description: "JSON claims of the registering caller" }) callerClaims: string;
  @Field(() => String, { nullable: true }) cursor: string | null;
  @Field(() => [WebhookTestEvent]) testEvents: WebhookTestEvent[];
}

/** What recording an attempt answers the dispatcher. Gateway only. */
@Directive("@inaccessible")
@ObjectType()
export class WebhookAttemptRecorded {
  @Field({ description: "the dispatcher still holds the webhook's lease (otherwise it stops delivering to it)" }) held: boolean;
  @Field({ description: "ISO date-time of the message's first attempt" }) firstAttemptAt: string;
}
