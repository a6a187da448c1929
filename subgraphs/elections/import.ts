import { parse } from "csv-parse/sync";
import type { EntityManager } from "typeorm";
import { badInput } from "../../platform/errors";
import { Message, message, render } from "../../platform/i18n";
import { findRegion } from "../kit/regions";
import { isoDate, regionCode, requiredText } from "../kit/validate";
import { CandidatePair, Election, ElectionOffice } from "./entities";

/*
 * KPU data for a real deployment: elections and their candidate pairs from a CSV or JSON file, validated as a
 * whole (every bad row reported, nothing written unless all are good) and applied idempotently: an election is
 * matched by office, region and voting day, a pair by its election and ballot number; the same file imported
 * again changes nothing. Nothing is deleted: pairs may be referenced by incident reports.
 *
 * CSV: one row per candidate pair, with the header
 *   title,office,regionCode,campaignStartsOn,campaignEndsOn,votingDay,ballotNumber,headCandidate,deputyCandidate
 * JSON: [{ title, office, regionCode, campaignStartsOn, campaignEndsOn, votingDay, pairs: [{ ballotNumber, headCandidate, deputyCandidate }] }]
 */

export const CSV_COLUMNS = ["title", "office", "regionCode", "campaignStartsOn", "campaignEndsOn", "votingDay", "ballotNumber", "headCandidate", "deputyCandidate"] as const;

/** One line of the file as given: where it is ("row 3", "elections[0].pairs[1]") and its fields. */
interface RawRow {
  where: string;
  election: Record<string, unknown>;
  pair: Record<string, unknown> | null;
}

export interface ImportedElection {
  title: string;
  office: ElectionOffice;
  regionCode: string;
  campaignStartsOn: string;
  campaignEndsOn: string;
  votingDay: string;
  pairs: Array<{ ballotNumber: number; headCandidate: string; deputyCandidate: string }>;
}

/** The file is refused as a whole: `problems` names every bad row and what is wrong with it. */
export class ElectionImportError extends Error {
  constructor(readonly problems: string[]) {
    super(`nothing imported: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  }
}

function rawRows(text: string, format: "csv" | "json"): RawRow[] {
  if (format === "csv") {
    let records: Array<Record<string, string>>;
    try {
      records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      throw new ElectionImportError([`the file is not valid CSV: ${error instanceof Error ? error.message : String(error)}`]);
    }
    const header = records.length > 0 ? Object.keys(records[0]) : [];
    const missing = CSV_COLUMNS.filter((column) => !header.includes(column));
    if (records.length > 0 && missing.length > 0) throw new ElectionImportError([`the header lacks ${missing.join(", ")} (expected ${CSV_COLUMNS.join(",")})`]);
    // Line 1 is the header: data row i is on line i + 2.
    return records.map((record, index) => ({ where: `row ${index + 2}`, election: record, pair: record }));
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ElectionImportError([`the file is not valid JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (!Array.isArray(data)) throw new ElectionImportError(["the JSON file must hold an array of elections"]);
  return data.flatMap((item: unknown, index): RawRow[] => {
    const election = typeof item === "object" && item !== null ? (item as Record<string, unknown>) : {};
    const pairs = Array.isArray(election.pairs) ? (election.pairs as unknown[]) : [];
    if (pairs.length === 0) return [{ where: `elections[${index}]`, election, pair: null }];
    return pairs.map((pair, p) => ({ where: `elections[${index}].pairs[${p}]`, election, pair: typeof pair === "object" && pair !== null ? (pair as Record<string, unknown>) : {} }));
  });
}

/** The region level each office is elected in. */
const OFFICE_LEVEL: Record<ElectionOffice, string> = { GOVERNOR: "PROVINCE", REGENT: "REGENCY", MAYOR: "REGENCY" };

const text = (value: unknown): string => (value === undefined || value === null ? "" : String(value));

/** The day before an ISO date. */
function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** What is wrong with a calendar's order (campaign start < campaign end < quiet period < voting day). */
export function calendarProblems(campaignStartsOn: string, campaignEndsOn: string, votingDay: string): Array<{ field: string; rule: Message }> {
  const problems: Array<{ field: string; rule: Message }> = [];
  if (!(campaignStartsOn < campaignEndsOn)) problems.push({ field: "campaignEndsOn", rule: message("rule.campaignEndsAfterStart", { date: campaignStartsOn }) });
  if (!(campaignEndsOn < dayBefore(votingDay))) {
    problems.push({ field: "votingDay", rule: message("rule.votingDayAfterQuietPeriod", { date: campaignEndsOn }) });
  }
  return problems;
}

/** A ballot number (nomor urut): 1 to 99. */
export function ballotNumber(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 99) throw badInput(field, message("rule.wholeNumberGot", { min: 1, max: 99, value }));
  return value;
}

/** Checks every row, collecting every problem; the elections grouped, or ElectionImportError. */
export function parseElections(fileText: string, format: "csv" | "json"): ImportedElection[] {
  const problems: string[] = [];
  const byKey = new Map<string, { election: ImportedElection; where: string; ballots: Map<number, string> }>();
  for (const row of rawRows(fileText, format)) {
    const rowProblems: string[] = [];
    const attempt = <T>(check: () => T): T | undefined => {
      try {
        return check();
      } catch (error) {
        rowProblems.push(error instanceof Error ? error.message : String(error));
        return undefined;
      }
    };
    const e = row.election;
    const title = attempt(() => requiredText("title", text(e.title), { max: 200 }));
    const office = Object.values(ElectionOffice).find((value) => value === text(e.office).toUpperCase());
    if (!office) rowProblems.push(`office: must be one of ${Object.values(ElectionOffice).join(", ")} (got "${text(e.office)}")`);
    const region = attempt(() => regionCode("regionCode", text(e.regionCode)));
    if (office && region && findRegion(region)?.level !== OFFICE_LEVEL[office]) {
      rowProblems.push(`regionCode: a ${office} election is held in a ${OFFICE_LEVEL[office].toLowerCase()}; ${region} is a ${findRegion(region)?.level.toLowerCase()}`);
    }
    const starts = attempt(() => isoDate("campaignStartsOn", text(e.campaignStartsOn)));
    const ends = attempt(() => isoDate("campaignEndsOn", text(e.campaignEndsOn)));
    const voting = attempt(() => isoDate("votingDay", text(e.votingDay)));
    if (starts && ends && voting) rowProblems.push(...calendarProblems(starts, ends, voting).map(({ field, rule }) => `${field}: ${render(rule)}`));
    let pair: ImportedElection["pairs"][number] | undefined;
    if (row.pair) {
      const ballot = attempt(() => ballotNumber("ballotNumber", Number(text(row.pair!.ballotNumber))));
      const head = attempt(() => requiredText("headCandidate", text(row.pair!.headCandidate), { max: 120 }));
      const deputy = attempt(() => requiredText("deputyCandidate", text(row.pair!.deputyCandidate), { max: 120 }));
      if (ballot && head && deputy && rowProblems.length === 0) pair = { ballotNumber: ballot, headCandidate: head, deputyCandidate: deputy };
    }
    if (rowProblems.length > 0 || !title || !office || !region || !starts || !ends || !voting) {
      problems.push(...rowProblems.map((problem) => `${row.where}: ${problem}`));
      continue;
    }
    const key = `${office} ${region} ${voting}`;
    let group = byKey.get(key);
    if (!group) {
      group = { election: { title, office, regionCode: region, campaignStartsOn: starts, campaignEndsOn: ends, votingDay: voting, pairs: [] }, where: row.where, ballots: new Map() };
      byKey.set(key, group);
    } else if (group.election.title !== title || group.election.campaignStartsOn !== starts || group.election.campaignEndsOn !== ends) {
      problems.push(`${row.where}: title and campaign dates must match ${group.where}, the same election (${office} of ${region} voting ${voting})`);
      continue;
    }
    if (pair) {
      const earlier = group.ballots.get(pair.ballotNumber);
      if (earlier) {
        problems.push(`${row.where}: ballotNumber ${pair.ballotNumber} is already given to another pair of this election at ${earlier}`);
        continue;
      }
      group.ballots.set(pair.ballotNumber, row.where);
      group.election.pairs.push(pair);
    }
  }
  if (problems.length > 0) throw new ElectionImportError(problems);
  return [...byKey.values()].map((group) => group.election);
}

export interface ImportCounts {
  elections: { created: number; updated: number; unchanged: number };
  pairs: { created: number; updated: number; unchanged: number };
}

/** Applies checked elections inside `manager`'s transaction; what was created, updated and left as it was. */
export async function applyElections(manager: EntityManager, imported: ImportedElection[]): Promise<ImportCounts> {
  const counts: ImportCounts = { elections: { created: 0, updated: 0, unchanged: 0 }, pairs: { created: 0, updated: 0, unchanged: 0 } };
  const elections = manager.getRepository(Election);
  const pairs = manager.getRepository(CandidatePair);
  for (const { pairs: importedPairs, ...fields } of imported) {
    let election = await elections.findOneBy({ office: fields.office, regionCode: fields.regionCode, votingDay: fields.votingDay });
    if (!election) {
      election = await elections.save(elections.create(fields));
      counts.elections.created++;
    } else if (election.title !== fields.title || election.campaignStartsOn !== fields.campaignStartsOn || election.campaignEndsOn !== fields.campaignEndsOn) {
      await elections.update(election.id, { title: fields.title, campaignStartsOn: fields.campaignStartsOn, campaignEndsOn: fields.campaignEndsOn });
      counts.elections.updated++;
    } else counts.elections.unchanged++;
    for (const pair of importedPairs) {
      const existing = await pairs.findOneBy({ electionId: election.id, ballotNumber: pair.ballotNumber });
      if (!existing) {
        await pairs.insert({ ...pair, electionId: election.id });
        counts.pairs.created++;
      } else if (existing.headCandidate !== pair.headCandidate || existing.deputyCandidate !== pair.deputyCandidate) {
        await pairs.update(existing.id, { headCandidate: pair.headCandidate, deputyCandidate: pair.deputyCandidate });
        counts.pairs.updated++;
      } else counts.pairs.unchanged++;
    }
  }
  return counts;
}
