import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

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
  @Field(() => String, { nullable: true, description: "the client's address as the gateway saw it" })
  @Column({ type: "varchar", length: 64, nullable: true })
  clientAddress: string | null;
  @Field(() => String, { nullable: true, description: 'what changed, e.g. "role ORMAS -> AGENCY"; never a secret' })
  @Column({ type: "varchar", length: 500, nullable: true })
  detail: string | null;
}
