import type { EntityManager } from "typeorm";
import { AlertKind, IncidentAlert, IncidentReport, IncidentStatus, Severity } from "./entities";
import { severityRank } from "./severity";

/**
 * Writes an alert inside the caller's transaction. It first bumps the single row of incident_alert_lock:
 * that row lock (MySQL/InnoDB) is held until commit, so alert-raising transactions commit in sequence
 * order and a replay `after` N can never miss an alert N-1 that committed late. SQLite serializes writers anyway.
 */
export async function raiseAlert(manager: EntityManager, kind: AlertKind, report: IncidentReport, raisedAt: string): Promise<IncidentAlert> {
  await manager.query("UPDATE incident_alert_lock SET alertsRaised = alertsRaised + 1 WHERE id = 1");
  const alerts = manager.getRepository(IncidentAlert);
  return alerts.save(
    alerts.create({ kind, reportId: report.id, raisedAt, regionCode: report.regionCode, category: report.category, severity: report.severity }),
  );
}

const ESCALATING_STATUSES: readonly IncidentStatus[] = [IncidentStatus.VERIFIED, IncidentStatus.FORWARDED];

/** A review escalates when it newly verifies or forwards a report, or raises its severity to HIGH or above. */
export function escalates(before: { status: IncidentStatus; severity: Severity }, after: { status: IncidentStatus; severity: Severity }): boolean {
  const newlyEscalatedStatus = after.status !== before.status && ESCALATING_STATUSES.includes(after.status);
  const raisedToHigh = severityRank(after.severity) > severityRank(before.severity) && severityRank(after.severity) >= severityRank(Severity.HIGH);
  return newlyEscalatedStatus || raisedToHigh;
}
