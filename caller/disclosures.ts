/*
 * Whistleblower data leaving the hub. When a subgraph answers with a report's reporter (who reported it), it
 * lists the report in its answer's extensions under DISCLOSED_EXTENSION; the gateway takes the list out, never
 * caches or shares that answer, and has each delivery audited (who, when, which report) before the answer
 * leaves it.
 */

/** The extension key a subgraph lists its disclosures under (the gateway removes it before answering). */
export const DISCLOSED_EXTENSION = "kawalDisclosedReporters";

/** The response header a subgraph's file download lists its disclosures in, as JSON (the gateway removes it). */
export const DISCLOSED_HEADER = "x-kawal-disclosed-reporters";

/** One report whose reporter an answer holds. */
export interface Disclosure {
  reportId: string;
  /** The report's region: administrators of that region read the audit event. */
  regionCode: string;
}

/** The disclosures of a subgraph answer's extensions; [] when there are none or they are malformed. */
export function disclosuresOf(extensions: Record<string, unknown> | undefined): Disclosure[] {
  return disclosureList(extensions?.[DISCLOSED_EXTENSION]);
}

/** The disclosures of a list as a subgraph gives it (extension or header); [] when malformed. */
export function disclosureList(listed: unknown): Disclosure[] {
  if (!Array.isArray(listed)) return [];
  return listed.filter(
    (item): item is Disclosure => typeof item === "object" && item !== null && typeof (item as Disclosure).reportId === "string" && typeof (item as Disclosure).regionCode === "string",
  );
}
