/** Indonesia's three zones: WIB (UTC+7), WITA (UTC+8), WIT (UTC+9). */
export interface Zone {
  name: "WIB" | "WITA" | "WIT";
  offset: "+07:00" | "+08:00" | "+09:00";
  iana: string;
}

const WIB: Zone = { name: "WIB", offset: "+07:00", iana: "Asia/Jakarta" };
const WITA: Zone = { name: "WITA", offset: "+08:00", iana: "Asia/Makassar" };
const WIT: Zone = { name: "WIT", offset: "+09:00", iana: "Asia/Jayapura" };

/** Provinces (by Kemendagri code) on WITA: Bali, NTB, NTT, South/East/North Kalimantan and all of Sulawesi. */
const WITA_PROVINCES = new Set(["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"]);

/** The zone of a region code ("19.06.01"): Maluku and Papua (8x, 9x) are WIT. */
export function zoneOf(regionCode: string): Zone {
  const province = regionCode.slice(0, 2);
  if (province.startsWith("8") || province.startsWith("9")) return WIT;
  return WITA_PROVINCES.has(province) ? WITA : WIB;
}

/** A datetime-local value ("2024-11-20T20:00") read in the region's zone, as ISO with that offset. */
export function fromLocalInput(value: string, zone: Zone): string {
  return `${value}:00${zone.offset}`;
}

/** A UTC ISO time shown in the region's zone, with the zone's name: "20 Nov 2024, 20.00 WIB". */
export function formatInZone(iso: string, zone: Zone, language: string): string {
  const text = new Intl.DateTimeFormat(language === "en" ? "en-GB" : "id-ID", { timeZone: zone.iana, dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  return `${text} ${zone.name}`;
}

/**
 * A filter's days ("2024-10-17", as date inputs give them; "" = open) as ISO date-times in the zone: from the
 * first moment of `from` to the last of `to`, so both days are included whole.
 */
export function dayWindow(from: string, to: string, zone: Zone): { from?: string; to?: string } {
  return { ...(from ? { from: `${from}T00:00:00${zone.offset}` } : {}), ...(to ? { to: `${to}T23:59:59.999${zone.offset}` } : {}) };
}
