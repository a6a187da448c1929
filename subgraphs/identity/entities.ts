import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";

/** The roles an account may hold; ORMAS ranks below AGENCY (INTEGRATOR is for partner apps, not people). */
export enum AccountRole {
  ORMAS = "ORMAS",
  AGENCY = "AGENCY",
}
registerEnumType(AccountRole, { name: "AccountRole", description: "ORMAS ranks below AGENCY" });

/** Security events the audit trail records. */
export enum AuditKind {
  SIGN_IN_SUCCEEDED = "SIGN_IN_SUCCEEDED",
  SIGN_IN_FAILED = "SIGN_IN_FAILED",
  PASSWORD_CHANGED = "PASSWORD_CHANGED",
  ACCOUNT_CREATED = "ACCOUNT_CREATED",
  ACCOUNT_DISABLED = "ACCOUNT_DISABLED",
  ACCOUNT_ENABLED = "ACCOUNT_ENABLED",
  PASSWORD_RESET = "PASSWORD_RESET",
  ACCESS_CHANGED = "ACCESS_CHANGED",
  REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED",
  INTEGRATION_CREATED = "INTEGRATION_CREATED",
  INTEGRATION_SECRET_ROTATED = "INTEGRATION_SECRET_ROTATED",
  INTEGRATION_REVOKED = "INTEGRATION_REVOKED",
  /** A partner app got an access token (client-credentials grant). */
  INTEGRATION_TOKEN_ISSUED = "INTEGRATION_TOKEN_ISSUED",
  /** A partner app was refused one: unknown client, wrong or expired secret, revoked, scope not granted. */
  INTEGRATION_TOKEN_REFUSED = "INTEGRATION_TOKEN_REFUSED",
  /** A report's reporter (whistleblower identity) left the gateway in an answer to someone. */
  REPORTER_DELIVERED = "REPORTER_DELIVERED",
  /** A partner app's trusted documents were loaded (the whole list replaced). */
  TRUSTED_DOCUMENTS_LOADED = "TRUSTED_DOCUMENTS_LOADED",
  /** A partner app's trusted documents were switched on (only listed operations run) or off. */
  TRUSTED_DOCUMENTS_SWITCHED = "TRUSTED_DOCUMENTS_SWITCHED",
}
registerEnumType(AuditKind, { name: "AuditKind" });

/** Regions are stored as " 19.06 19.07 ": each code between blanks, so a LIKE finds a prefix among them. */
export function storedRegions(regions: readonly string[]): string {
  return ` ${regions.join(" ")} `;
}

export function regionsOf(stored: string): string[] {
  return stored.split(" ").filter(Boolean);
}

/** A person who signs in: an officer of an agency or a member of an ormas, acting for one organization. */
@ObjectType({ description: "A person's sign-in account; administrators see the accounts they manage" })
@Entity("accounts")
export class Account {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  /** The Organization (organizations subgraph) it acts for. */
  @Column({ type: "integer" }) organizationId: number;
  @Field(() => AccountRole) @Column({ type: "varchar", length: 10 }) role: AccountRole;
  /** storedRegions form. */
  @Column({ type: "varchar", length: 500 }) regions: string;
  @Field({ description: "an e-mail address (lower case) or a phone number (+62...)" }) @Column({ type: "varchar", length: 254 }) loginName: string;
  /** argon2id, PHC string form. Never leaves the subgraph. */
  @Column({ type: "varchar", length: 200 }) passwordHash: string;
  @Field({ description: "may create, reset and disable accounts within its own role, organization and regions" })
  @Column({ type: "boolean" })
  admin: boolean;
  @Field() @Column({ type: "boolean" }) disabled: boolean;
  @Field({ description: "the password was set by an administrator: changePassword before the first sign-in" })
  @Column({ type: "boolean" })
  mustChangePassword: boolean;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) createdAt: string;
  /** The administrator account that created it; null for the first administrator and demo accounts. */
  @Column({ type: "integer", nullable: true }) createdBy: number | null;
}

/**
 * A refresh token, stored only as its SHA-256. Each use rotates it: the row is marked used and a new one of
 * the same family issued. A used or revoked token presented again revokes its whole family.
 */
@Entity("refresh_tokens")
export class RefreshToken {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: "integer" }) accountId: number;
  @Column({ type: "varchar", length: 32 }) family: string;
  @Column({ type: "varchar", length: 64 }) tokenHash: string;
  @Column({ type: "varchar", length: 24 }) createdAt: string;
  @Column({ type: "varchar", length: 24 }) expiresAt: string;
  @Column({ type: "varchar", length: 24, nullable: true }) usedAt: string | null;
  @Column({ type: "varchar", length: 24, nullable: true }) revokedAt: string | null;
}

/** One security event. Rows are only ever inserted: no code path updates or deletes them. */
@ObjectType({ description: "A security event: who did what to which account, when; never a password or token" })
@Entity("audit_events")
export class AuditEvent {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Field(() => AuditKind) @Column({ type: "varchar", length: 30 }) kind: AuditKind;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) at: string;
  /** The account that acted (the administrator, or the account signing in); null when unknown. */
  @Column({ type: "integer", nullable: true }) actorAccountId: number | null;
  /** The account acted on; null for a sign-in attempt with an unknown login name. */
  @Column({ type: "integer", nullable: true }) accountId: number | null;
  @Column({ type: "integer", nullable: true }) organizationId: number | null;
  /** The regions of the account acted on (storedRegions form), so administrators see their regions' events. */
  @Column({ type: "varchar", length: 500 }) regions: string;
  /** The partner app acted on or acting (integration events); null otherwise. */
  @Column({ type: "integer", nullable: true }) integrationId: number | null;
  /** Who received a report's reporter (REPORTER_DELIVERED): the token's subject; null otherwise. */
  @Field(() => String, { nullable: true, description: "REPORTER_DELIVERED: the token subject (sub) the reporter was delivered to" })
  @Column({ type: "varchar", length: 200, nullable: true })
  subject: string | null;
  /** The incident report whose reporter was delivered (REPORTER_DELIVERED); null otherwise. */
  @Column({ type: "integer", nullable: true }) reportId: number | null;
  @Field(() => String, { nullable: true, description: "the client's address as the gateway saw it" })
  @Column({ type: "varchar", length: 64, nullable: true })
  clientAddress: string | null;
  @Field(() => String, { nullable: true, description: 'what changed, e.g. "role ORMAS -> AGENCY"; never a secret' })
  @Column({ type: "varchar", length: 500, nullable: true })
  detail: string | null;
}

/** The integrator scopes of the API contract; a partner app is granted some of them. */
export const INTEGRATOR_SCOPES = ["read:directory", "read:incidents", "subscribe:alerts"] as const;

/**
 * A partner app (integration) of one organization: it exchanges its client id and secret for INTEGRATOR access
 * tokens (OAuth 2.0 client credentials) with its scopes and regions. The secret is stored only as a hash; after a
 * rotation the previous one keeps working until previousSecretExpiresAt.
 */
@ObjectType({ description: "A partner app's credentials: client id, scopes and regions; the secret is shown once and never stored in clear" })
@Entity("integrations")
export class Integration {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Field({ description: "the OAuth 2.0 client_id" }) @Column({ type: "varchar", length: 40 }) clientId: string;
  @Field({ description: "what the app is, for administrators" }) @Column({ type: "varchar", length: 100 }) name: string;
  /** The Organization (organizations subgraph) the app acts for: its tokens' `org`. */
  @Column({ type: "integer" }) organizationId: number;
  /** storedRegions form, e.g. " read:directory read:incidents ". */
  @Column({ type: "varchar", length: 100 }) scopes: string;
  /** storedRegions form. */
  @Column({ type: "varchar", length: 500 }) regions: string;
  /** SHA-256 of the current secret (see credentials.ts for why a fast hash suffices). */
  @Column({ type: "varchar", length: 64 }) secretHash: string;
  /** SHA-256 of the secret before the last rotation, valid until previousSecretExpiresAt. */
  @Column({ type: "varchar", length: 64, nullable: true }) previousSecretHash: string | null;
  @Field(() => String, { nullable: true, description: "ISO date-time (UTC) until which the secret before the last rotation still works" })
  @Column({ type: "varchar", length: 24, nullable: true })
  previousSecretExpiresAt: string | null;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) createdAt: string;
  /** The administrator account that registered it. */
  @Column({ type: "integer" }) createdBy: number;
  @Field(() => String, { nullable: true, description: "ISO date-time (UTC) it was revoked; a revoked app gets no token" })
  @Column({ type: "varchar", length: 24, nullable: true })
  revokedAt: string | null;
  @Field({ description: "the gateway runs only the app's trusted documents, named by id (off by default; setTrustedDocumentsRequired)" })
  @Column({ type: "boolean", default: false })
  trustedDocumentsRequired: boolean;
}

/** Recent sign-in failures under one key (throttle.ts), shared by every replica of the identity subgraph. */
@Entity("sign_in_failures")
export class SignInFailureCount {
  /** SHA-256 (hex) of the login name or client address the failures were counted under. */
  @PrimaryColumn({ type: "varchar", length: 64 }) throttleKey: string;
  @Column({ type: "integer" }) failures: number;
  /** ISO date-time (UTC) of the latest failure. */
  @Column({ type: "varchar", length: 24 }) lastFailureAt: string;
}
