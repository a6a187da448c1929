import { Brackets, DataSource, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { badInput } from "../../platform/errors";
import { message } from "../../platform/i18n";
import { optionalDateTime, regionCode, requiredText } from "./validate";

let parameterCount = 0;
const parameter = (base: string) => `${base}${++parameterCount}`;

/**
 * `column` starts with `prefix`, as a condition both engines answer with an index range scan. MySQL turns
 * LIKE 'x%' into a range; SQLite does not (its LIKE is case-insensitive, so a BINARY index cannot serve it)
 * but does turn GLOB 'x*' into one. Prefixes here are region codes or name tokens: digits, letters and dots,
 * none of them a wildcard of either syntax. Returns the operator and the pattern to bind.
 */
function prefixPattern(sqlite: boolean, prefix: string): { operator: "GLOB" | "LIKE"; pattern: string } {
  if (/[%_*?[\]!]/.test(prefix)) throw new Error(`startsWith: "${prefix}" holds a wildcard`);
  return sqlite ? { operator: "GLOB", pattern: `${prefix}*` } : { operator: "LIKE", pattern: `${prefix}%` };
}

/** True for the embedded engine (better-sqlite3), whose prefix conditions are GLOB rather than LIKE. */
export function isSqlite(db: DataSource): boolean {
  return db.driver.options.type === "better-sqlite3";
}

/**
 * The bounds [prefix, prefix + "/") around region `prefix` and everything inside it: "." sorts below "/"
 * (binary and MySQL's unicode collation alike), so every code the exact test accepts (the prefix itself, or
 * the prefix, ".", anything) lies within them. They are added beside the exact test, never instead of it,
 * so they can only narrow what it accepts, and for codes of digits and dots they do not even do that. One
 * range, unlike the exact test's OR, can follow an equality in an index: SQLite answers category IN (...)
 * AND region with IDX (category, regionCode, ...) only through it; without, it reads every report of the
 * categories.
 */
function regionBounds(prefix: string): [string, string] {
  return [prefix, `${prefix}/`];
}

function startsWith<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, name: string, prefix: string): [string, Record<string, string>] {
  const { operator, pattern } = prefixPattern(isSqlite(query.connection), prefix);
  return [`${column} ${operator} :${name}`, { [name]: pattern }];
}

/**
 * Rows whose region lies inside any of `prefixes` (a token's regions): "19.06" matches 19.06 and 19.06.01,
 * not 19.061; each prefix an index range scan. No prefixes matches nothing.
 */
export function whereRegionWithinAny<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, prefixes: readonly string[]): void {
  if (prefixes.length === 0) {
    query.andWhere("1 = 0");
    return;
  }
  query.andWhere(
    new Brackets((where) => {
      for (const prefix of prefixes) {
        const [exact, low, high] = [parameter("regionAny"), parameter("regionAnyLow"), parameter("regionAnyHigh")];
        const [below, belowParameters] = startsWith(query, column, parameter("regionAnyBelow"), `${prefix}.`);
        const [lowValue, highValue] = regionBounds(prefix);
        where.orWhere(`(${column} >= :${low} AND ${column} < :${high} AND (${column} = :${exact} OR ${below}))`, {
          [exact]: prefix,
          [low]: lowValue,
          [high]: highValue,
          ...belowParameters,
        });
      }
    }),
  );
}

/** Applies an optional `regionCode` filter argument, validated as an existing region code. */
export function filterByRegion<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  code: string | null | undefined,
  field = "filter.regionCode",
): void {
  if (code === null || code === undefined) return;
  whereRegionWithinAny(query, column, [regionCode(field, code)]);
}

/** A filter's time window: ISO date-times with a time zone, either end optional. */
export interface TimeWindowFilter {
  from?: string | null;
  to?: string | null;
}

/**
 * Applies a filter's optional `from` and `to` to `column` (UTC ISO text, which sorts chronologically), both ends
 * included. Each is validated as an ISO date-time with a time zone, named `filter.from` / `filter.to` in its error;
 * a `to` before `from` is refused.
 */
export function filterByTime<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, filter: TimeWindowFilter | null | undefined): void {
  const from = optionalDateTime("filter.from", filter?.from);
  const to = optionalDateTime("filter.to", filter?.to);
  if (from !== null && to !== null && to < from) throw badInput("filter.to", message("rule.notBefore", { other: "filter.from" }));
  if (from !== null) {
    const name = parameter("from");
    query.andWhere(`${column} >= :${name}`, { [name]: from });
  }
  if (to !== null) {
    const name = parameter("to");
    query.andWhere(`${column} <= :${name}`, { [name]: to });
  }
}

/** Longest token kept in a name-token table; longer words are matched on their first NAME_TOKEN_MAX characters. */
export const NAME_TOKEN_MAX = 50;

/**
 * The words of a name or a search, as stored in a name-token table: lower-cased runs of letters and digits,
 * each once, cut at NAME_TOKEN_MAX. "Forum Pemuda (FPM) Manggar" gives forum, pemuda, fpm, manggar.
 */
export function nameTokens(text: string): string[] {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return [...new Set(words.map((word) => word.slice(0, NAME_TOKEN_MAX)))];
}

/** Letters without a decomposition that MySQL's collation also matches to Latin ones. */
const FOLDED_LETTERS: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ı: "i" };

/** A token as search compares it: accents folded, so "jose" finds José and "strasse" Straße, on both engines. */
export function searchForm(token: string): string {
  if (!/[^\x00-\x7f]/.test(token)) return token;
  return token
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[ßæœøłđı]/g, (letter) => FOLDED_LETTERS[letter]);
}

/**
 * The words a name is found by, and the words of a search: nameTokens in searchForm, each once. Name-token
 * tables store these, and every search path compares them, so a search means the same wherever it runs.
 */
export function searchTokens(text: string): string[] {
  return [...new Set(nameTokens(text).map(searchForm))];
}

/**
 * Name search through a token table (tokenTable: token, <idColumn of the table>), of searchTokens: every word of the search
 * must begin a word of the name, in any order ("pemuda mangg" finds "Perkumpulan Pemuda Peduli Manggar").
 * Each word is a range scan on the table's primary key (token first), so the cost follows the number of
 * matches, not the size of the directory (a `LIKE '%x%'` scans every name). A search with no letters or
 * digits matches nothing. This is the general form, for a search combined with any filter; the
 * organizations subgraph answers a search alone from the names it holds in memory (organizations/search.ts).
 */
export function whereNameTokensMatch<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  idColumn: string,
  tokenTable: { name: string; idColumn: string },
  field: string,
  text: string,
): void {
  const words = searchTokens(requiredText(field, text, { max: 100 }));
  if (words.length === 0) {
    query.andWhere("1 = 0");
    return;
  }
  for (const word of words) {
    const [condition, parameters] = startsWith(query, "token", parameter("token"), word);
    query.andWhere(`${idColumn} IN (SELECT ${tokenTable.idColumn} FROM ${tokenTable.name} WHERE ${condition})`, parameters);
  }
}

