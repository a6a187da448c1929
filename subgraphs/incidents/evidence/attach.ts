import type { EntityManager } from "typeorm";
import type { Caller } from "../../../caller/claims";
import { actsFor, isAgencyFor } from "../../../caller/access";
import { badInput, forbiddenInput } from "../../../platform/errors";
import type { IncidentReport } from "../entities";
import { assertStanding } from "../locked-report";
import { Evidence } from "./entity";
import { message } from "../../../platform/i18n";

/*
 * Attaching uploads to a report, inside the caller's transaction (attachEvidence, reportIncident's evidenceIds): by
 * the reporting organization, or an AGENCY whose regions cover the report, and only the caller's own organization's
 * uploads. Attaching is once and for good: an upload belongs to one report.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Refuses a caller who is neither the report's reporter nor an AGENCY of its region. */
export function assertMayAttach(caller: Caller, report: IncidentReport, field: string): void {
  if (!actsFor(caller, String(report.reporterOrgId)) && !isAgencyFor(caller, report.regionCode)) {
    throw forbiddenInput(field, message("rule.evidenceReportAccess", { id: report.id }));
  }
}

/** Attaches each upload of `ids` to `report` (already locked and checked with assertMayAttach); repeats are no-ops. */
export async function attachUploads(manager: EntityManager, report: IncidentReport, ids: readonly string[], byOrgId: number, field: string, at: string): Promise<void> {
  if (ids.length === 0) return;
  assertStanding(report, "given evidence");
  const lock = manager.connection.options.type === "mysql" ? { lock: { mode: "pessimistic_write" as const } } : {};
  const repository = manager.getRepository(Evidence);
  for (const id of new Set(ids)) {
    const upload = UUID.test(id) ? await repository.findOne({ where: { id }, ...lock }) : null;
    if (!upload) throw badInput(field, message("rule.uploadExists", { id: JSON.stringify(id) }));
    if (upload.uploadedByOrgId !== byOrgId) throw forbiddenInput(field, message("rule.uploadYours", { id }));
    if (upload.reportId === report.id) continue;
    if (upload.reportId !== null) throw badInput(field, message("rule.uploadNotAttached", { id, report: upload.reportId }));
    await repository.update(id, { reportId: report.id, attachedAt: at });
  }
}
