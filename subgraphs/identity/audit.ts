import type { EntityManager } from "typeorm";
import { Account, AuditEvent, AuditKind, Integration } from "./entities";

export interface AuditEntry {
  kind: AuditKind;
  /** The account acting: the administrator, or the account signing in. */
  actor?: Account | null;
  /** The account acted on (null: an unknown login name). */
  account?: Account | null;
  /** The partner app acted on or acting; its organization and regions place the event when no account does. */
  integration?: Integration | null;
  /**
   * REPORTER_DELIVERED: who received it (the token's sub), which report, and the report's region (so the agency
   * administrators of that region read it; no organization, so ORMAS administrators do not).
   */
  delivery?: { subject: string; reportId: number; regionCode: string } | null;
  clientAddress?: string | null;
  /** What changed, in words; never a password, a hash, a secret or a token. */
  detail?: string | null;
}

/** The row of an entry. */
function row(entry: AuditEntry): Partial<AuditEvent> {
  return {
    kind: entry.kind,
    at: new Date().toISOString(),
    actorAccountId: entry.actor?.id ?? null,
    accountId: entry.account?.id ?? null,
    integrationId: entry.integration?.id ?? null,
    subject: entry.delivery?.subject.slice(0, 200) ?? null,
    reportId: entry.delivery?.reportId ?? null,
    organizationId: entry.account?.organizationId ?? entry.integration?.organizationId ?? null,
    regions: entry.account?.regions ?? entry.integration?.regions ?? (entry.delivery ? ` ${entry.delivery.regionCode} ` : " "),
    clientAddress: entry.clientAddress?.slice(0, 64) ?? null,
    detail: entry.detail ?? null,
  };
}

/** Appends one event, in the transaction of the change it records (both commit, or neither). */
export async function audit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager.insert(AuditEvent, row(entry));
}

/** Appends several events in one statement. */
export async function auditAll(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
  if (entries.length > 0) await manager.insert(AuditEvent, entries.map(row));
}
