import type { EntityManager } from "typeorm";
import { Account, AuditEvent, AuditKind } from "./entities";

export interface AuditEntry {
  kind: AuditKind;
  /** The account acting: the administrator, or the account signing in. */
  actor?: Account | null;
  /** The account acted on (null: an unknown login name). */
  account?: Account | null;
  clientAddress?: string | null;
  /** What changed, in words; never a password, a hash or a token. */
  detail?: string | null;
}

/** Appends one event, in the transaction of the change it records (both commit, or neither). */
export async function audit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager.insert(AuditEvent, {
    kind: entry.kind,
    at: new Date().toISOString(),
    actorAccountId: entry.actor?.id ?? null,
    accountId: entry.account?.id ?? null,
    organizationId: entry.account?.organizationId ?? null,
    regions: entry.account?.regions ?? " ",
    clientAddress: entry.clientAddress?.slice(0, 64) ?? null,
    detail: entry.detail ?? null,
  });
}
