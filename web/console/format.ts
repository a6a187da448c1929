import { currentLanguage } from "../i18n";
import { formatInZone, zoneOf } from "../shared/time-zone";

/** A UTC ISO time in the zone of the region it happened in (WIB/WITA/WIT). */
export const when = (iso: string, regionCode: string): string => formatInZone(iso, zoneOf(regionCode), currentLanguage());

/** A calendar date of the API ("2024-11-27", on the Jakarta calendar) in words: "27 Nov 2024". */
export function day(date: string): string {
  return new Intl.DateTimeFormat(currentLanguage() === "en" ? "en-GB" : "id-ID", { timeZone: "UTC", dateStyle: "medium" }).format(new Date(`${date}T00:00:00Z`));
}
