import type { DataSource } from "typeorm";
import type { Storage } from "../kit/storage";
import { audit } from "./audit";
import { checkPasswordRules, hashPassword, loginName } from "./credentials";
import { Account, AccountRole, AuditKind, storedRegions } from "./entities";

/** An account made outside the API: the first administrator (launcher/admin.ts) and the demo's accounts. */
export interface AccountSeed {
  organizationId: number;
  role: AccountRole;
  regions: string[];
  loginName: string;
  password: string;
  admin: boolean;
  /** true for a password someone else chose (the first administrator's one-time password). */
  mustChangePassword: boolean;
  /** Where it comes from, for the audit trail: "the command line", "the demo". */
  origin: string;
}

/** True when the database holds an administrator already. */
export function hasAdministrator(db: DataSource): Promise<boolean> {
  return db.getRepository(Account).existsBy({ admin: true });
}

/** Inserts an account, audited as created by no account (with its origin); refuses a login name in use. */
export async function insertAccount(storage: Storage, seed: AccountSeed): Promise<Account> {
  const login = loginName("--login", seed.loginName);
  checkPasswordRules("password", seed.password, login);
  const passwordHash = await hashPassword(seed.password);
  return storage.write(async (manager) => {
    if (await manager.existsBy(Account, { loginName: login })) throw new Error(`--login: "${login}" is taken by another account`);
    const account = manager.create(Account, {
      organizationId: seed.organizationId,
      role: seed.role,
      regions: storedRegions(seed.regions),
      loginName: login,
      passwordHash,
      admin: seed.admin,
      disabled: false,
      mustChangePassword: seed.mustChangePassword,
      createdAt: new Date().toISOString(),
      createdBy: null,
    });
    await manager.save(account);
    await audit(manager, { kind: AuditKind.ACCOUNT_CREATED, account, detail: `role ${seed.role}, regions ${seed.regions.join(" ")}${seed.admin ? ", administrator" : ""}; from ${seed.origin}` });
    return account;
  });
}

/** The account with this login name, if any. */
export function findAccount(db: DataSource, login: string): Promise<Account | null> {
  return db.getRepository(Account).findOneBy({ loginName: loginName("--login", login) });
}
