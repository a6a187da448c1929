import { Brackets, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { regionCode, requiredText } from "./validate";

let parameterCount = 0;
const parameter = (base: string) => `${base}${++parameterCount}`;

/** Rows whose region lies inside `code` ("19.06" matches 19.06 and 19.06.01, not 19.061); an index range scan. */
export function whereRegionWithin<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, code: string): void {
  const exact = parameter("region");
  const below = parameter("regionBelow");
  query.andWhere(
    new Brackets((where) => where.where(`${column} = :${exact}`, { [exact]: code }).orWhere(`${column} LIKE :${below}`, { [below]: `${code}.%` })),
  );
}

/** Rows whose region lies inside any of `prefixes` (a token's regions); no prefixes matches nothing. */
export function whereRegionWithinAny<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, prefixes: readonly string[]): void {
  if (prefixes.length === 0) {
    query.andWhere("1 = 0");
    return;
  }
  query.andWhere(
    new Brackets((where) => {
      for (const prefix of prefixes) {
        const exact = parameter("regionAny");
        const below = parameter("regionAnyBelow");
        where.orWhere(`(${column} = :${exact} OR ${column} LIKE :${below})`, { [exact]: prefix, [below]: `${prefix}.%` });
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
  whereRegionWithin(query, column, regionCode(field, code));
}

/** Case-insensitive "contains" on a lower-cased key column; LIKE wildcards in the input match literally. */
export function whereContains<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, field: string, text: string): void {
  const needle = requiredText(field, text, { max: 100 }).toLowerCase().replace(/[!%_]/g, (c) => `!${c}`);
  const name = parameter("contains");
  query.andWhere(`${column} LIKE :${name} ESCAPE '!'`, { [name]: `%${needle}%` });
}
