import { badInput, forbiddenInput, regionList } from "../../platform/errors";
import { findRegion, suggestRegion } from "./regions";
import { MaybeCaller } from "../../caller/claims";
import { regionWithin } from "../../caller/access";
import { message } from "../../platform/i18n";

/**
 * Input rules shared by every subgraph. Each check returns the cleaned value or throws a BAD_USER_INPUT
 * error naming the field and the rule; checks run before anything is written, so a refused write stores nothing.
 */

export interface TextRule {
  /** Longest accepted length after trimming. Default 200. */
  max?: number;
}

/** A required string: trimmed, not empty, at most `max` characters. */
export function requiredText(field: string, value: string, { max = 200 }: TextRule = {}): string {
  const trimmed = value.trim();
  if (trimmed === "") throw badInput(field, message("rule.notEmpty"));
  if (trimmed.length > max) throw badInput(field, message("rule.maxLength", { max }));
  return trimmed;
}

/** An optional string: trimmed; empty becomes null. */
export function optionalText(field: string, value: string | null | undefined, rule: TextRule = {}): string | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  return requiredText(field, value, rule);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** The offset may be extended ("+07:00") or basic ("+0700"), as ISO 8601 allows both. */
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})$/;

/** A calendar date, YYYY-MM-DD, that exists. */
export function isoDate(field: string, value: string): string {
  const match = ISO_DATE.exec(value.trim());
  if (match) {
    const [, y, m, d] = match;
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    if (date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)) return value.trim();
  }
  throw badInput(field, message("rule.date"));
}

/** A date-time with a time zone (Indonesia has three); stored as UTC ISO text, which sorts chronologically. */
export function isoDateTime(field: string, value: string): string {
  const match = ISO_DATE_TIME.exec(value.trim());
  // Date.parse reads only the extended offset reliably: "+0700" becomes "+07:00".
  const time = match ? Date.parse(`${match[1]}${match[2].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")}`) : NaN;
  if (Number.isNaN(time)) {
    throw badInput(field, message("rule.dateTime"));
  }
  return new Date(time).toISOString();
}

export function optionalDateTime(field: string, value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === "" ? null : isoDateTime(field, value);
}

/** An http(s) link; anything else (javascript:, data:, file:) is refused. */
export function httpUrl(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  const trimmed = value.trim();
  if (trimmed.length > 2000) throw badInput(field, message("rule.maxLength", { max: 2000 }));
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw badInput(field, message("rule.httpUrl"));
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw badInput(field, message("rule.httpUrl"));
  return parsed.toString();
}

/** A head count or similar: a whole number from 0 to `max`. */
export function count(field: string, value: number, max = 1_000_000): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw badInput(field, message("rule.wholeNumber", { min: 0, max }));
  return value;
}

/** An id of this hub's records: digits only. */
export function recordId(field: string, value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw badInput(field, message("rule.recordId"));
  return Number(value);
}

/** An optional id: digits, or null when absent. */
export function optionalRecordId(field: string, value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : recordId(field, value);
}

/** A Kemendagri region code that exists ("19.06.01"). */
export function regionCode(field: string, value: string): string {
  const code = value.trim();
  if (!findRegion(code)) {
    const suggestion = suggestRegion(code);
    throw badInput(field, suggestion ? message("rule.regionCodeSuggested", { code, suggestion }) : message("rule.regionCode", { code }));
  }
  return code;
}

/**
 * A region code that exists (else BAD_USER_INPUT) and lies inside the caller's regions (else FORBIDDEN: acting
 * outside one's regions is refused with the same code on every mutation, reviewIncident and recordAttendance included).
 */
export function regionInScope(field: string, value: string, caller: MaybeCaller): string {
  const code = regionCode(field, value);
  if (caller && !regionWithin(code, caller.regions)) {
    throw forbiddenInput(field, message("rule.insideYourRegions", { regions: regionList(caller.regions) }));
  }
  return code;
}
