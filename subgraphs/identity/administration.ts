import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from "type-graphql";
import { QueryFailedError } from "typeorm";
import { regionWithin } from "../../caller/access";
import { badInput, forbidden, forbiddenInput, regionList } from "../../platform/errors";
import { requireCaller } from "../kit/context";
import { assertEntitiesExist } from "../kit/lookups";
import { recordId, regionCode } from "../kit/validate";
import { audit } from "./audit";
import { hashPassword, loginName, oneTimePassword } from "./credentials";
import { Account, AccountRole, AuditKind, regionsOf, storedRegions } from "./entities";
import { accountIdOf, revokeAccountTokens, subjectOf } from "./sessions";
import { disableWebhooksOf } from "./webhook-owners";
import type { IdentityContext } from "./state";
import { message } from "../../platform/i18n";

/*
 * Administration: an administrator (the `admin` flag of an account in this database, not a token role) creates,
 * resets and disables accounts. Nobody grants beyond their own: a role ranking above theirs, a region outside
 * theirs, or (ORMAS administrators) another organization. A refusal is FORBIDDEN naming the field and the rule,
 * and nothing is written.
 */

const RANK: Record<AccountRole, number> = { ORMAS: 1, AGENCY: 2 };

@InputType()
class CreateAccountInput {
  @Field(() => ID, { description: "the Organization the person acts for; an ORMAS administrator's own only" }) organizationId: string;
  @Field(() => AccountRole, { description: "not above the administrator's own role" }) role: AccountRole;
  @Field(() => [String], { description: 'region-code prefixes such as "19.06", each within the administrator\'s regions' }) regions: string[];
  @Field({ description: "an e-mail address or a phone number (0812..., +62812...)" }) loginName: string;
  @Field({ defaultValue: false, description: "may administer accounts within its own role, organization and regions" }) admin: boolean;
}

/** A new account, or one whose password was reset, with the password to hand over once. */
@ObjectType()
class AccountWithPassword {
  @Field(() => Account) account: Account;
  @Field({ description: "shown once, never stored in clear: the holder must change it at the first sign-in (changePassword)" })
  oneTimePassword: string;
}

/** The caller's account, when it is an active administrator's; FORBIDDEN otherwise. */
export async function requireAdministrator(context: IdentityContext, action: string): Promise<Account> {
  const caller = requireCaller(context);
  const id = accountIdOf(caller.sub);
  const account = id === null ? null : await context.db.getRepository(Account).findOneBy({ id });
  if (!account || !account.admin || account.disabled) {
    throw forbidden(message("access.administratorsOnly", { action }));
  }
  return account;
}

/** Refuses a role above the administrator's, and anything but ORMAS for an ORMAS administrator. */
function checkRole(field: string, role: AccountRole, admin: Account): AccountRole {
  if (RANK[role] > RANK[admin.role]) throw forbiddenInput(field, message("rule.roleNotAboveYours", { role: admin.role }));
  return role;
}

/** Existing region codes, each within the administrator's regions; at least one. */
export function checkRegions(field: string, regions: string[], admin: Account): string[] {
  if (regions.length === 0) throw badInput(field, message("rule.regionsAtLeastOne"));
  if (regions.length > 20) throw badInput(field, message("rule.regionsAtMost", { max: 20 }));
  const own = regionsOf(admin.regions);
  return [...new Set(regions.map((value, index) => {
    const code = regionCode(`${field}[${index}]`, value);
    if (!regionWithin(code, own)) throw forbiddenInput(`${field}[${index}]`, message("rule.insideYourRegions", { regions: regionList(own) }));
    return code;
  }))];
}

/** The account `id`, when the administrator may manage it: its role, organization and regions within theirs. */
async function managedAccount(context: IdentityContext, admin: Account, rawId: string): Promise<Account> {
  const id = recordId("id", rawId);
  const account = await context.db.getRepository(Account).findOneBy({ id });
  const own = regionsOf(admin.regions);
  const within =
    account !== null &&
    RANK[account.role] <= RANK[admin.role] &&
    regionsOf(account.regions).every((code) => regionWithin(code, own)) &&
    (admin.role === AccountRole.AGENCY || account.organizationId === admin.organizationId);
  if (!within) throw forbiddenInput("id", message("rule.accountYouAdminister"));
  if (account.id === admin.id) throw forbiddenInput("id", message("rule.notYourOwnAccount"));
  return account;
}

function isDuplicate(error: unknown): boolean {
  return error instanceof QueryFailedError && /duplicate|unique/i.test(String((error as { driverError?: unknown }).driverError ?? error.message));
}

@Resolver()
export class AdministrationResolver {
  @Authorized()
  @Mutation(() => AccountWithPassword, { description: "Administrators: a new account with a one-time password" })
  async createAccount(@Arg("input", () => CreateAccountInput) input: CreateAccountInput, @Ctx() context: IdentityContext): Promise<AccountWithPassword> {
    const admin = await requireAdministrator(context, "createAccount");
    const organizationId = recordId("input.organizationId", input.organizationId);
    const role = checkRole("input.role", input.role, admin);
    if (admin.role === AccountRole.ORMAS && organizationId !== admin.organizationId) {
      throw forbiddenInput("input.organizationId", message("rule.ownOrganization", { organization: admin.organizationId, why: message("why.ormasCreatesOwnAccounts") }));
    }
    const regions = checkRegions("input.regions", input.regions, admin);
    const login = loginName("input.loginName", input.loginName);
    if (await context.db.getRepository(Account).existsBy({ loginName: login })) throw badInput("input.loginName", message("rule.loginNameTaken"));
    await assertEntitiesExist(context.peers, "organizations", "Organization", [{ field: "input.organizationId", id: String(organizationId) }]);
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    try {
      const account = await context.storage.write(async (manager) => {
        const created = manager.create(Account, {
          organizationId,
          role,
          regions: storedRegions(regions),
          loginName: login,
          passwordHash,
          admin: input.admin,
          disabled: false,
          mustChangePassword: true,
          createdAt: new Date().toISOString(),
          createdBy: admin.id,
        });
        await manager.save(created);
        await audit(manager, { kind: AuditKind.ACCOUNT_CREATED, actor: admin, account: created, clientAddress: context.clientAddress, detail: `role ${role}, regions ${regions.join(" ")}${input.admin ? ", administrator" : ""}` });
        return created;
      });
      return { account, oneTimePassword: password };
    } catch (error) {
      if (isDuplicate(error)) throw badInput("input.loginName", message("rule.loginNameTaken"));
      throw error;
    }
  }

  @Authorized()
  @Mutation(() => AccountWithPassword, { description: "Administrators: a new one-time password; the account's sessions end" })
  async resetPassword(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<AccountWithPassword> {
    const admin = await requireAdministrator(context, "resetPassword");
    const account = await managedAccount(context, admin, id);
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    await context.storage.write(async (manager) => {
      await manager.update(Account, { id: account.id }, { passwordHash, mustChangePassword: true });
      await revokeAccountTokens(manager, account.id);
      await audit(manager, { kind: AuditKind.PASSWORD_RESET, actor: admin, account, clientAddress: context.clientAddress });
    });
    return { account: { ...account, passwordHash, mustChangePassword: true }, oneTimePassword: password };
  }

  @Authorized()
  @Mutation(() => Account, { description: "Administrators: the account can no longer sign in; its refresh tokens are revoked at once" })
  async disableAccount(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<Account> {
    const admin = await requireAdministrator(context, "disableAccount");
    const account = await managedAccount(context, admin, id);
    await context.storage.write(async (manager) => {
      await manager.update(Account, { id: account.id }, { disabled: true });
      await revokeAccountTokens(manager, account.id);
      await disableWebhooksOf(manager, subjectOf(account), "the account was disabled");
      if (!account.disabled) await audit(manager, { kind: AuditKind.ACCOUNT_DISABLED, actor: admin, account, clientAddress: context.clientAddress });
    });
    return { ...account, disabled: true };
  }

  @Authorized()
  @Mutation(() => Account, { description: "Administrators: a disabled account may sign in again (with the password it had)" })
  async enableAccount(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<Account> {
    const admin = await requireAdministrator(context, "enableAccount");
    const account = await managedAccount(context, admin, id);
    if (!account.disabled) return account;
    await context.storage.write(async (manager) => {
      await manager.update(Account, { id: account.id }, { disabled: false });
      await audit(manager, { kind: AuditKind.ACCOUNT_ENABLED, actor: admin, account, clientAddress: context.clientAddress });
    });
    return { ...account, disabled: false };
  }

  @Authorized()
  @Mutation(() => Account, { description: "Administrators: a new role or regions, within their own; takes effect at the next sign-in or refresh" })
  async changeAccountAccess(
    @Arg("id", () => ID) id: string,
    @Arg("role", () => AccountRole, { nullable: true }) role: AccountRole | null,
    @Arg("regions", () => [String], { nullable: true }) regions: string[] | null,
    @Ctx() context: IdentityContext,
  ): Promise<Account> {
    const admin = await requireAdministrator(context, "changeAccountAccess");
    const account = await managedAccount(context, admin, id);
    const newRole = role ? checkRole("role", role, admin) : account.role;
    const newRegions = regions ? storedRegions(checkRegions("regions", regions, admin)) : account.regions;
    const changes = [
      newRole !== account.role ? `role ${account.role} -> ${newRole}` : null,
      newRegions !== account.regions ? `regions ${regionsOf(account.regions).join(" ")} -> ${regionsOf(newRegions).join(" ")}` : null,
    ].filter(Boolean);
    if (changes.length === 0) return account;
    const changed = { ...account, role: newRole, regions: newRegions };
    await context.storage.write(async (manager) => {
      await manager.update(Account, { id: account.id }, { role: newRole, regions: newRegions });
      await disableWebhooksOf(manager, subjectOf(account), `the account's rights changed (${changes.join("; ")}): register it again`);
      await audit(manager, { kind: AuditKind.ACCESS_CHANGED, actor: admin, account: changed, clientAddress: context.clientAddress, detail: changes.join("; ") });
    });
    return changed;
  }
}
