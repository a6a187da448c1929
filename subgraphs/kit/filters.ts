import { Brackets, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { requiredText } from "./validate";
import { regionCode } from "./validate";

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

/** Applies an optional `regionCode` filter argument, validated as an existing region code. */
export function filterByRegion<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, code: string | null | undefined): void {
  if (code === null || code === undefined) return;
  whereRegionWithin(query, column, regionCode("filter.regionCode", code));
}

/** Case-insensitive "contains" on a lower-cased key column; LIKE wildcards in the input match literally. */
export function whereContains<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, field: string, text: string): void {
  const needle = requiredText(field, text, { max: 100 }).toLowerCase().replace(/[!%_]/g, (c) => `!${c}`);
  const name = parameter("contains");
  query.andWhere(`${column} LIKE :${name} ESCAPE '!'`, { [name]: `%${needle}%` });
}
