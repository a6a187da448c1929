import { SelectQueryBuilder } from "typeorm";
import { IncidentReport, IncidentStatus } from "./entities";

/** Statuses in which the reporting deadline still matters: not yet FORWARDED (to Sentra Gakkumdu), RESOLVED or DISMISSED. */
export const REPORTING_OPEN: readonly IncidentStatus[] = [IncidentStatus.RECEIVED, IncidentStatus.UNDER_REVIEW, IncidentStatus.VERIFIED];
/** Statuses in which the handling deadline still matters: not yet decided. */
export const HANDLING_OPEN: readonly IncidentStatus[] = [IncidentStatus.RECEIVED, IncidentStatus.UNDER_REVIEW, IncidentStatus.VERIFIED, IncidentStatus.FORWARDED];

type Clocked = Pick<IncidentReport, "status" | "reportingDueAt" | "handlingDueAt" | "withdrawnAt">;

/** Past a deadline that still matters at `now` (UTC ISO); a withdrawn report is never overdue. */
export function isOverdue(report: Clocked, now: string): boolean {
  if (report.withdrawnAt !== null) return false;
  const reporting = REPORTING_OPEN.includes(report.status) && report.reportingDueAt < now;
  const handling = HANDLING_OPEN.includes(report.status) && report.handlingDueAt !== null && report.handlingDueAt < now;
  return reporting || handling;
}

/** The same rule in SQL, on a query over incident_reports aliased `alias`: overdue reports, or (false) the others. */
export function whereOverdue(query: SelectQueryBuilder<IncidentReport>, alias: string, overdue: boolean, now: string): void {
  // Every comparison is with a non-null value (handlingDueAt is tested first), so NOT (...) is exact.
  const rule =
    `(${alias}.withdrawnAt IS NULL AND ((${alias}.reportingDueAt < :overdueNow AND ${alias}.status IN (:...reportingOpen))` +
    ` OR (${alias}.handlingDueAt IS NOT NULL AND ${alias}.handlingDueAt < :overdueNow AND ${alias}.status IN (:...handlingOpen))))`;
  query.andWhere(overdue ? rule : `NOT ${rule}`, { overdueNow: now, reportingOpen: REPORTING_OPEN, handlingOpen: HANDLING_OPEN });
}
