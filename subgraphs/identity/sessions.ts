import crypto from "node:crypto";
import { Field, ObjectType } from "type-graphql";
import { EntityManager, IsNull } from "typeorm";
import { GraphQLError } from "graphql";
import type { HubConfig } from "../../platform/config";
import { hubTokenKey, signToken, TokenKey } from "../../caller/tokens";
import { Account, RefreshToken, regionsOf } from "./entities";
import { newRefreshToken, sha256 } from "./credentials";
import { describedError } from "../../platform/errors";
import { message } from "../../platform/i18n";

/** How long a refresh token may wait for its one use. */
export const REFRESH_TOKEN_DAYS = 14;

/** What sign-in, refresh and a password change answer: a short-lived access token and a refresh token. */
@ObjectType({ description: "Tokens of a signed-in account: send accessToken as `Authorization: Bearer ...`" })
export class Session {
  @Field({ description: "JWT (HS256, or RS256/ES256 with the hub's signing key) with the claims sub, role, org, regions, scope (KAWAL_ACCESS_TOKEN_SECONDS, 15 minutes by default)" })
  accessToken: string;
  @Field({ description: "ISO date-time (UTC) the access token expires at" }) accessTokenExpiresAt: string;
  @Field({ description: "single use: refreshSession answers a new pair and retires this one; shown once, stored only as a hash" })
  refreshToken: string;
  @Field({ description: "ISO date-time (UTC)" }) refreshTokenExpiresAt: string;
  @Field(() => Account) account: Account;
}

/** The token subject of an account: "account:<id>". */
export function subjectOf(account: Account): string {
  return `account:${account.id}`;
}

/** The account id of a token subject, or null when the token is not an account's (a demo or a minted token). */
export function accountIdOf(subject: string): number | null {
  const match = /^account:(\d{1,15})$/.exec(subject);
  return match ? Number(match[1]) : null;
}

/**
 * What access tokens are signed with: the hub's private key (KAWAL_SIGNING_KEY_FILE) when set, else the HS256
 * secret. A hub set up to trust only an external identity provider (KAWAL_JWKS_URL) has neither: then sign-in and
 * the token endpoint answer SIGNING_UNAVAILABLE before looking at any credential.
 */
export function hubSigningKey(config: HubConfig): TokenKey {
  const signing = hubTokenKey(config);
  if ("key" in signing) return signing.key;
  throw describedError(message("signIn.unavailable", { detail: signing.unavailable }), { code: "SIGNING_UNAVAILABLE" });
}

/** When an access token signed now for `seconds` expires, as ISO date-time. */
export function expiryOf(seconds: number): string {
  return new Date((Math.floor(Date.now() / 1000) + seconds) * 1000).toISOString();
}

/** Signs an access token with the account's current role, organization and regions. */
export async function accessToken(account: Account, config: HubConfig): Promise<{ token: string; expiresAt: string }> {
  const seconds = config.accessTokenSeconds;
  const token = await signToken(hubSigningKey(config), { sub: subjectOf(account), role: account.role, org: String(account.organizationId), regions: regionsOf(account.regions), scopes: [] }, seconds);
  return { token, expiresAt: expiryOf(seconds) };
}

/** Issues a session: a new refresh token in `family` (a new family at sign-in) and an access token. */
export async function issueSession(manager: EntityManager, account: Account, config: HubConfig, family = crypto.randomBytes(16).toString("hex")): Promise<Session> {
  const refreshToken = newRefreshToken();
  const now = new Date();
  const refreshTokenExpiresAt = new Date(now.getTime() + REFRESH_TOKEN_DAYS * 86_400_000).toISOString();
  await manager.insert(RefreshToken, { accountId: account.id, family, tokenHash: sha256(refreshToken), createdAt: now.toISOString(), expiresAt: refreshTokenExpiresAt, usedAt: null, revokedAt: null });
  const access = await accessToken(account, config);
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt, account };
}

/** Revokes every live refresh token of an account (disabled, password changed or reset). */
export async function revokeAccountTokens(manager: EntityManager, accountId: number): Promise<void> {
  await manager.update(RefreshToken, { accountId, revokedAt: IsNull() }, { revokedAt: new Date().toISOString() });
}

/** Revokes every live refresh token of a family (a rotated token presented again). */
export async function revokeFamily(manager: EntityManager, family: string): Promise<void> {
  await manager.update(RefreshToken, { family, revokedAt: IsNull() }, { revokedAt: new Date().toISOString() });
}

/** The one answer to a refresh token that cannot be used, whatever the reason. */
export function refreshRefused(): GraphQLError {
  return describedError(message("signIn.refreshInvalid"), { code: "UNAUTHENTICATED", field: "refreshToken", rule: "must be the latest refresh token of a live session" });
}

/** The one answer to a sign-in that fails, whatever the reason: it never says whether the login name exists. */
export function signInFailed(): GraphQLError {
  return describedError(message("signIn.failed"), { code: "UNAUTHENTICATED", field: "password", rule: "must be the password of an active account with this login name" });
}

export function passwordChangeRequired(): GraphQLError {
  return describedError(message("signIn.passwordChangeRequired"), { code: "PASSWORD_CHANGE_REQUIRED", field: "password", rule: "must be changed at the first sign-in" });
}
