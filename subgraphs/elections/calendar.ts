/*
 * The Pilkada calendar and the phase an election is in. Pure: no database, no clock; tests pass `at`.
 * Phases follow the KPU stages (tahapan): kampanye, masa tenang, hari pemungutan suara.
 */

export enum ElectionPhase {
  BEFORE_CAMPAIGN = "BEFORE_CAMPAIGN",
  CAMPAIGN = "CAMPAIGN", // masa kampanye
  QUIET_PERIOD = "QUIET_PERIOD", // masa tenang: no campaigning
  VOTING_DAY = "VOTING_DAY", // hari pemungutan suara
  AFTER_VOTING = "AFTER_VOTING",
}

/** The dates of an election, each YYYY-MM-DD on the Jakarta calendar. */
export interface ElectionCalendar {
  campaignStartsOn: string;
  campaignEndsOn: string;
  votingDay: string;
}

/** Western Indonesia Time (WIB) is UTC+7 all year: Indonesia has no daylight saving time. */
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

/** The calendar date in Jakarta (WIB) at an instant, YYYY-MM-DD. */
export function jakartaDate(at: Date): string {
  return new Date(at.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The phase of an election at an instant. KPU dates are Jakarta dates, so 2024-11-26T18:00Z (01:00 WIB on the
 * 27th) is already voting day. YYYY-MM-DD strings compare in calendar order.
 */
export function electionPhase(calendar: ElectionCalendar, at: Date): ElectionPhase {
  const day = jakartaDate(at);
  if (day < calendar.campaignStartsOn) return ElectionPhase.BEFORE_CAMPAIGN;
  if (day <= calendar.campaignEndsOn) return ElectionPhase.CAMPAIGN;
  if (day < calendar.votingDay) return ElectionPhase.QUIET_PERIOD;
  if (day === calendar.votingDay) return ElectionPhase.VOTING_DAY;
  return ElectionPhase.AFTER_VOTING;
}
