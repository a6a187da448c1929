import { dayWindow, zoneOf } from "../shared/time-zone";

/** The incident list's filter as the console's form holds it ("" = any). */
export interface Filter {
  regionCode: string;
  category: string;
  status: string;
  minSeverity: string;
  /** Calendar days ("2024-11-25") of occurredAt in the region's zone (WIB/WITA/WIT), both included. */
  from: string;
  to: string;
}

/** The days as the API's ISO date-times, in the zone of the filtered region (WIB when none is given). */
const days = (filter: Filter) => dayWindow(filter.from, filter.to, zoneOf(filter.regionCode));

/** The filter as the API's IncidentFilter. */
export function incidentFilter(filter: Filter): Record<string, unknown> {
  return {
    ...(filter.regionCode ? { regionCode: filter.regionCode } : {}),
    ...(filter.category ? { categories: [filter.category] } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.minSeverity ? { minSeverity: filter.minSeverity } : {}),
    ...days(filter),
  };
}

/** The same filter as /export/incidents.csv's query string. */
export function exportUrl(filter: Filter): string {
  const parameters = { regionCode: filter.regionCode, category: filter.category, status: filter.status, minSeverity: filter.minSeverity, ...days(filter) };
  const search = new URLSearchParams(Object.entries(parameters).filter(([, value]) => value !== ""));
  const query = search.toString();
  return `/export/incidents.csv${query ? `?${query}` : ""}`;
}

/**
 * Downloads the CSV: fetched with the access token (kept in memory, so a plain link could not carry it), then saved
 * under the name the hub gives. Resolves false when the hub refused or could not be reached.
 */
export async function downloadCsv(filter: Filter, accessToken: string | null): Promise<boolean> {
  const response = await fetch(exportUrl(filter), { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} }).catch(() => null);
  if (!response?.ok) return false;
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "laporan.csv";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  // After the click has handed the file to the browser's download.
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
  return true;
}
