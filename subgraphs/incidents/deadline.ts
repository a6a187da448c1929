/** UU 10/2016: a report must reach Bawaslu within 7 days of the violation becoming known. */
export const REPORTING_WINDOW_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The last moment Bawaslu can receive a report of a violation that occurred at `occurredAt` (ISO, UTC out). */
export function reportingDeadline(occurredAt: string): string {
  return new Date(Date.parse(occurredAt) + REPORTING_WINDOW_DAYS * DAY_MS).toISOString();
}
