import fs from "node:fs";
import path from "node:path";

/** Kemendagri administrative levels, as the contract names them. */
export type RegionLevel = "PROVINCE" | "REGENCY" | "DISTRICT" | "VILLAGE";

export interface RegionRecord {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
}

const FILES: Array<[string, RegionLevel]> = [
  ["provinces.csv", "PROVINCE"],
  ["regencies.csv", "REGENCY"],
  ["districts.csv", "DISTRICT"],
  ["villages.csv", "VILLAGE"],
];

/** Acronyms that stay upper-case when the all-caps province and regency names are title-cased. */
const KEEP_UPPER = new Set(["DKI", "DI"]);

function titleCase(name: string): string {
  if (name !== name.toUpperCase()) return name; // districts and villages are already in mixed case
  return name
    .split(" ")
    .map((word) => (KEEP_UPPER.has(word) ? word : word.charAt(0) + word.slice(1).toLowerCase()))
    .join(" ");
}

function dataDirectory(): string {
  // idn-area-data is an ES module with no CommonJS entry; its CSV files are what we need anyway.
  return path.join(path.dirname(require.resolve("idn-area-data/package.json")), "data");
}

let catalog: Map<string, RegionRecord> | undefined;

/**
 * The national region list of idn-area-data (38 provinces, 514 regencies and cities, 7,277 districts,
 * 83,763 villages), read once per process. Every subgraph validates region codes against it.
 */
export function regionCatalog(): ReadonlyMap<string, RegionRecord> {
  if (catalog) return catalog;
  const loaded = new Map<string, RegionRecord>();
  for (const [file, level] of FILES) {
    const lines = fs.readFileSync(path.join(dataDirectory(), file), "utf8").split(/\r?\n/);
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const first = line.indexOf(",");
      const code = line.slice(0, first);
      let parentCode: string | null = null;
      let name: string;
      if (level === "PROVINCE") {
        name = line.slice(first + 1);
      } else {
        const second = line.indexOf(",", first + 1);
        parentCode = line.slice(first + 1, second);
        name = line.slice(second + 1);
      }
      // The CSV writes the apostrophe of names like Soka'an as a bare double quote.
      loaded.set(code, { code, name: titleCase(name.replace(/"/g, "'")), level, parentCode });
    }
  }
  catalog = loaded;
  return catalog;
}

export function findRegion(code: string): RegionRecord | undefined {
  return regionCatalog().get(code);
}

let children: Map<string | null, RegionRecord[]> | undefined;

/**
 * The regions directly under `parentCode` in code order; under null, the provinces. The list never changes
 * while the process runs, so it is grouped once rather than read from a database per request.
 */
export function regionChildren(parentCode: string | null): readonly RegionRecord[] {
  if (!children) {
    const grouped = new Map<string | null, RegionRecord[]>();
    for (const region of regionCatalog().values()) {
      const siblings = grouped.get(region.parentCode) ?? [];
      siblings.push(region);
      grouped.set(region.parentCode, siblings);
    }
    for (const siblings of grouped.values()) siblings.sort((a, b) => (a.code < b.code ? -1 : 1));
    children = grouped;
  }
  return children.get(parentCode) ?? [];
}

/** Digits of each segment of a Kemendagri code: province, regency, district, village ("19.06.01.2001"). */
const SEGMENT_WIDTHS = [2, 2, 2, 4];

/**
 * The existing region a mistyped code most likely means, or null: segments written without their leading
 * zeros ("19.06.1" → "19.06.01"), or separated by "-", "/" or spaces, or run together ("190601").
 */
export function suggestRegion(code: string): string | null {
  const trimmed = code.trim();
  let segments = trimmed.split(/[.\-/\s]+/).filter((segment) => segment !== "");
  if (segments.length === 1 && /^\d+$/.test(trimmed)) {
    // Run together: cut at the standard widths.
    segments = [];
    let at = 0;
    for (const width of SEGMENT_WIDTHS) {
      if (at >= trimmed.length) break;
      segments.push(trimmed.slice(at, at + width));
      at += width;
    }
  }
  if (segments.length === 0 || segments.length > SEGMENT_WIDTHS.length || !segments.every((segment) => /^\d+$/.test(segment))) return null;
  const padded = segments.map((segment, index) => (segment.length < SEGMENT_WIDTHS[index] ? segment.padStart(SEGMENT_WIDTHS[index], "0") : segment)).join(".");
  return padded !== trimmed && findRegion(padded) ? padded : null;
}
