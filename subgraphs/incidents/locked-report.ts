import type { EntityManager } from "typeorm";
import type { Caller } from "../../caller/claims";
import { actsFor, isAgencyFor } from "../../caller/access";
import { badInput, forbiddenInput, regionList } from "../../platform/errors";
import { IncidentReport, IncidentReportVersion, ReportChangeKind } from "./entities";
import { message } from "../../platform/i18n";

/**
 * The report `id`, read for a change inside `manager`'s transaction. On MySQL the row is locked, so two changes
 * at once each see the other's outcome; SQLite already runs one writer at a time.
 */
export async function lockedReport(manager: EntityManager, id: number, field = "id"): Promise<IncidentReport> {
  const lock = manager.connection.options.type === "mysql" ? { lock: { mode: "pessimistic_write" as const } } : {};
  const report = await manager.getRepository(IncidentReport).findOne({ where: { id }, ...lock });
  if (!report) throw badInput(field, message("rule.existingEntity", { typename: "IncidentReport", id }));
  return report;
}

/** Refuses a change by anyone but an AGENCY whose regions cover the report. */
export function assertAgencyFor(caller: Caller, report: IncidentReport, action: string): void {
  if (!isAgencyFor(caller, report.regionCode)) {
    throw forbiddenInput("id", message("rule.reportInYourRegions", { region: report.regionCode, action, regions: regionList(caller.regions) }));
  }
}

/** Refuses a change by anyone but the organization that filed the report. */
export function assertReporter(caller: Caller, report: IncidentReport, action: string): void {
  if (!actsFor(caller, String(report.reporterOrgId))) throw forbiddenInput("id", message("rule.reportYourOrganizationFiled", { action }));
}

/** Refuses any change to a withdrawn report: it keeps its history and takes no further handling. */
export function assertStanding(report: IncidentReport, action: string): void {
  if (report.withdrawnAt !== null) {
    throw badInput("id", message("rule.reportStands", { id: report.id, at: String(report.withdrawnAt), action }));
  }
}

/** Appends the next version of a report's content (its current row) to its history; nothing is overwritten. */
export async function recordVersion(
  manager: EntityManager,
  report: IncidentReport,
  change: { kind: ReportChangeKind; changed: string[]; reason: string | null; at: string; byOrgId: number },
): Promise<void> {
  const versions = manager.getRepository(IncidentReportVersion);
  const latest = await versions.createQueryBuilder("v").select("MAX(v.version)", "max").where("v.reportId = :id", { id: report.id }).getRawOne<{ max: number | string | null }>();
  await versions.insert({
    reportId: report.id,
    version: Number(latest?.max ?? 0) + 1,
    kind: change.kind,
    category: report.category,
    description: report.description,
    url: report.url,
    changed: change.changed.join(","),
    reason: change.reason,
    at: change.at,
    byOrgId: change.byOrgId,
  });
}
