import { Brackets, ObjectLiteral, SelectQueryBuilder } from "typeorm";

let parameterCount = 0;

/**
 * Rows whose region lies inside any of `prefixes` (a token's regions): OR of the kit's equal-or-below test.
 * No prefixes matches nothing. A candidate for kit/filters.ts beside whereRegionWithin.
 */
export function whereRegionWithinAny<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, column: string, prefixes: readonly string[]): void {
  if (prefixes.length === 0) {
    query.andWhere("1 = 0");
    return;
  }
  query.andWhere(
    new Brackets((where) => {
      for (const prefix of prefixes) {
        const exact = `regionAny${++parameterCount}`;
        const below = `regionAny${++parameterCount}`;
        where.orWhere(`(${column} = :${exact} OR ${column} LIKE :${below})`, { [exact]: prefix, [below]: `${prefix}.%` });
      }
    }),
  );
}
