import { Brackets, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { regionCode, requiredText } from "./validate";

let parameterCount = 0;
const parameter = (base: string) => `${base}${++parameterCount}`;

/**
 * `column` starts with `prefix`, as a condition both engines answer with an index range scan. MySQL turns
 * LIKE 'x%' into a range; SQLite does not (its LIKE is case-insensitive, so a BINARY index cannot serve it)
 * but does turn GLOB 'x*' into one. Prefixes here are region codes or name tokens: digits, letters and dots,
 * none of them a wildcard of either syntax.
 */
function startsWith<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, name: string, prefix: string): [string, Record<string, string>] {
  if (/[%_*?[\]!]/.test(prefix)) throw new Error(`startsWith: "${prefix}" holds a wildcard`);
  const sqlite = query.connection.driver.options.type === "better-sqlite3";
  return sqlite ? [`${column} GLOB :${name}`, { [name]: `${prefix}*` }] : [`${column} LIKE :${name}`, { [name]: `${prefix}%` }];
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
        const exact = parameter("regionAny");
        const [below, belowParameters] = startsWith(query, column, parameter("regionAnyBelow"), `${prefix}.`);
        where.orWhere(`(${column} = :${exact} OR ${below})`, { [exact]: prefix, ...belowParameters });
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

/**
 * Name search through a token table (tokenTable: token, <idColumn of the table>): every word of the search
 * must begin a word of the name, in any order ("pemuda mangg" finds "Perkumpulan Pemuda Peduli Manggar").
 * Each word is a range scan on the table's (token, id) primary key, so the cost follows the number of
 * matches, not the size of the directory (a `LIKE '%x%'` scans every name). A search with no letters or
 * digits matches nothing.
 */
export function whereNameTokensMatch<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  idColumn: string,
  tokenTable: { name: string; idColumn: string },
  field: string,
  text: string,
): void {
  const words = nameTokens(requiredText(field, text, { max: 100 }));
  if (words.length === 0) {
    query.andWhere("1 = 0");
    return;
  }
  for (const word of words) {
    const [condition, parameters] = startsWith(query, "token", parameter("token"), word);
    query.andWhere(`${idColumn} IN (SELECT ${tokenTable.idColumn} FROM ${tokenTable.name} WHERE ${condition})`, parameters);
  }
}

