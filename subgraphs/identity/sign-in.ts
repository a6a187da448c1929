import { setTimeout as sleep } from "node:timers/promises";
import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { IsNull } from "typeorm";
import { badInput } from "../../platform/errors";
import { audit } from "./audit";
import { checkPasswordRules, hashPassword, loginNameOrNull, MAX_PASSWORD_LENGTH, passwordMatches, sha256 } from "./credentials";
import { Account, AuditKind, RefreshToken } from "./entities";
import { hubSigningKey, issueSession, passwordChangeRequired, refreshRefused, revokeAccountTokens, revokeFamily, Session, signInFailed } from "./sessions";
import type { IdentityContext } from "./state";
import { message } from "../../platform/i18n";

/**
 * The account whose login name and password these are, after the progressive delay its earlier failures
 * earned. Wrong password, unknown login name and disabled account fail alike (signInFailed), each failure
 * counted and audited; an unknown login name is audited without the text typed (it may be a password).
 */
async function authenticate(context: IdentityContext, typedLogin: string, password: string): Promise<Account> {
  const { throttle } = context.state;
  const login = loginNameOrNull(typedLogin);
  const throttleKey = login ?? typedLogin.trim().toLowerCase();
  const delay = await throttle.delayFor(throttleKey, context.clientAddress);
  if (delay > 0) await sleep(delay);
  const account = login === null ? null : await context.db.getRepository(Account).findOneBy({ loginName: login });
  // No password is longer than the rules allow: a megabyte of "password" would only cost hashing time.
  const matches = password.length <= MAX_PASSWORD_LENGTH && (await passwordMatches(account?.passwordHash ?? null, password));
  if (account && matches && !account.disabled) {
    await throttle.succeeded(throttleKey);
    return account;
  }
  const detail = !account ? "unknown login name" : account.disabled ? "account disabled" : "wrong password";
  await context.storage.write(async (manager) => {
    await throttle.failed(manager, throttleKey, context.clientAddress);
    await audit(manager, { kind: AuditKind.SIGN_IN_FAILED, actor: account, account, clientAddress: context.clientAddress, detail });
  });
  throw signInFailed();
}

@Resolver()
export class SignInResolver {
  /** Signs in with a login name (e-mail or phone) and password: a 15-minute access token and a refresh token. */
  @Mutation(() => Session, { description: "Same error for a wrong password, an unknown login name and a disabled account; repeated failures are slowed down" })
  async signIn(@Arg("loginName") loginName: string, @Arg("password") password: string, @Ctx() context: IdentityContext): Promise<Session> {
    hubSigningKey(context.config);
    const account = await authenticate(context, loginName, password);
    if (account.mustChangePassword) throw passwordChangeRequired();
    return context.storage.write(async (manager) => {
      await audit(manager, { kind: AuditKind.SIGN_IN_SUCCEEDED, actor: account, account, clientAddress: context.clientAddress });
      return issueSession(manager, account, context.config);
    });
  }

  /**
   * Changes the password (the first sign-in with an administrator-set password must): signs in with the
   * current one, revokes every refresh token of the account, and answers a new session.
   */
  @Mutation(() => Session, { description: "Needed before the first sign-in with a password an administrator set; revokes the account's other sessions" })
  async changePassword(
    @Arg("loginName") loginName: string,
    @Arg("password") password: string,
    @Arg("newPassword") newPassword: string,
    @Ctx() context: IdentityContext,
  ): Promise<Session> {
    hubSigningKey(context.config);
    const account = await authenticate(context, loginName, password);
    checkPasswordRules("newPassword", newPassword, account.loginName);
    if (newPassword === password) throw badInput("newPassword", message("rule.newPasswordDiffers"));
    const passwordHash = await hashPassword(newPassword);
    return context.storage.write(async (manager) => {
      await manager.update(Account, { id: account.id }, { passwordHash, mustChangePassword: false });
      await revokeAccountTokens(manager, account.id);
      await audit(manager, { kind: AuditKind.PASSWORD_CHANGED, actor: account, account, clientAddress: context.clientAddress });
      return issueSession(manager, { ...account, passwordHash, mustChangePassword: false }, context.config);
    });
  }

  /**
   * Trades a refresh token for a new pair. Each refresh token works once: presented again, it revokes its
   * whole family (someone else holds a copy). Refused, alike, when expired, revoked, or the account disabled.
   */
  @Mutation(() => Session, { description: "Single use: answers a new access and refresh token; a refresh token used twice revokes the session" })
  async refreshSession(@Arg("refreshToken") refreshToken: string, @Ctx() context: IdentityContext): Promise<Session> {
    hubSigningKey(context.config);
    const tokenHash = sha256(refreshToken);
    const outcome = await context.storage.write(async (manager): Promise<Session | null> => {
      const row = await manager.findOneBy(RefreshToken, { tokenHash });
      if (!row || row.revokedAt !== null) return null;
      const account = await manager.findOneBy(Account, { id: row.accountId });
      if (row.usedAt !== null) {
        await revokeFamily(manager, row.family);
        await audit(manager, { kind: AuditKind.REFRESH_TOKEN_REUSED, account, clientAddress: context.clientAddress, detail: "a rotated refresh token was presented again: its session is revoked" });
        return null;
      }
      if (Date.parse(row.expiresAt) <= Date.now() || !account || account.disabled) return null;
      // Only the first of two concurrent uses rotates it; the other counts as a reuse next time it is tried.
      const used = await manager.update(RefreshToken, { id: row.id, usedAt: IsNull() }, { usedAt: new Date().toISOString() });
      if (used.affected === 0) return null;
      return issueSession(manager, account, context.config, row.family);
    });
    if (!outcome) throw refreshRefused();
    return outcome;
  }
}
