import { IncidentCategory, Severity } from "./entities";

/** Least to most severe; `minSeverity` filters keep a severity and everything after it. */
export const SEVERITY_ORDER: readonly Severity[] = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL];

export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.indexOf(severity);
}

/** The severities at or above `min` (all of them when there is no minimum), for SQL `IN` and predicates. */
export function severitiesAtLeast(min: Severity | null | undefined): Severity[] {
  return min ? SEVERITY_ORDER.slice(severityRank(min)) : [...SEVERITY_ORDER];
}

/** Crimes under UU 10/2016 and threats to people start HIGH; likely-but-unproven harm MEDIUM; the rest LOW. */
const DEFAULT_SEVERITY: Partial<Record<IncidentCategory, Severity>> = {
  [IncidentCategory.BLACK_CAMPAIGN]: Severity.HIGH,
  [IncidentCategory.SARA_INSULT]: Severity.HIGH,
  [IncidentCategory.INTIMIDATION]: Severity.HIGH,
  [IncidentCategory.MONEY_POLITICS]: Severity.MEDIUM,
  [IncidentCategory.HOAX]: Severity.MEDIUM,
};

/** The severity a report gets when the reporter does not say. */
export function defaultSeverity(category: IncidentCategory): Severity {
  return DEFAULT_SEVERITY[category] ?? Severity.LOW;
}
