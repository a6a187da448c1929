/*
 * The handling clock of UU 10/2016 (Pasal 134): a report reaches Bawaslu within 7 days of the violation becoming
 * known; Bawaslu decides within 3 days, extendable once by 2. A deadline of N days ends at 23:59:59 of the Nth
 * calendar day after the starting day, in the local time of the report's region.
 */

/** Days from discovery (diketahui dan/atau ditemukan) to the last day of filing with Bawaslu. */
export const REPORTING_WINDOW_DAYS = 7;
/** Days an agency has to decide once it takes a report up. */
export const HANDLING_WINDOW_DAYS = 3;
/** Days one extension adds (when the agency needs more from the reporter). */
export const HANDLING_EXTENSION_DAYS = 2;

export interface TimeZone {
  /** WIB, WITA or WIT (Waktu Indonesia Barat, Tengah, Timur). */
  name: "WIB" | "WITA" | "WIT";
  /** Hours ahead of UTC; Indonesia keeps no daylight saving time. */
  offsetHours: 7 | 8 | 9;
}

const WIB: TimeZone = { name: "WIB", offsetHours: 7 };
const WITA: TimeZone = { name: "WITA", offsetHours: 8 };
const WIT: TimeZone = { name: "WIT", offsetHours: 9 };

/**
 * Provinces (Kemendagri codes) on WITA under Keppres 41/1987 (IANA Asia/Makassar): Bali, both Nusa Tenggara,
 * South, East and North Kalimantan, and every Sulawesi province. Maluku and Papua (8x, 9x) are WIT
 * (Asia/Jayapura); the rest, Sumatra, Java, West and Central Kalimantan, WIB (Asia/Jakarta, Asia/Pontianak).
 */
const WITA_PROVINCES = new Set(["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"]);

/** The time zone of a region, by its province code. */
export function timeZoneOf(regionCode: string): TimeZone {
  const province = regionCode.slice(0, 2);
  if (province.startsWith("8") || province.startsWith("9")) return WIT;
  return WITA_PROVINCES.has(province) ? WITA : WIB;
}

const HOUR_MS = 60 * 60 * 1000;

/** The UTC instant (ISO) that ends the `days`th calendar day after the local day of `start` in the region. */
export function deadlineAfter(start: string, days: number, regionCode: string): string {
  const offsetMs = timeZoneOf(regionCode).offsetHours * HOUR_MS;
  const local = new Date(Date.parse(start) + offsetMs);
  const end = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days, 23, 59, 59);
  return new Date(end - offsetMs).toISOString();
}

/** A UTC instant as the region's local time, ISO 8601 with its offset: "2024-11-27T23:59:59+07:00". */
export function inLocalTime(instant: string, regionCode: string): string {
  const { offsetHours } = timeZoneOf(regionCode);
  const local = new Date(Date.parse(instant) + offsetHours * HOUR_MS).toISOString().slice(0, 19);
  return `${local}+${String(offsetHours).padStart(2, "0")}:00`;
}

/** The last moment Bawaslu can receive a report of a violation discovered at `discoveredAt` (UTC ISO). */
export function reportingDeadline(discoveredAt: string, regionCode: string): string {
  return deadlineAfter(discoveredAt, REPORTING_WINDOW_DAYS, regionCode);
}

/** The handling deadline of a report taken up at `startedAt`, with or without its one extension. */
export function handlingDeadline(startedAt: string, extended: boolean, regionCode: string): string {
  return deadlineAfter(startedAt, HANDLING_WINDOW_DAYS + (extended ? HANDLING_EXTENSION_DAYS : 0), regionCode);
}
