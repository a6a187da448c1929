import { TableColumnOptions } from "typeorm";

/*
 * Column shapes for migrations written with the QueryRunner/Table API, so one migration runs on SQLite
 * and MySQL alike. Times are stored as UTC ISO-8601 text (24 characters), which sorts chronologically on
 * both engines and round-trips without time-zone surprises.
 */

export const idColumn = (): TableColumnOptions => ({
  name: "id",
  type: "integer",
  isPrimary: true,
  isGenerated: true,
  generationStrategy: "increment",
});

export const textColumn = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: "varchar",
  length: String(length),
  isNullable: nullable,
});

export const longTextColumn = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: "text",
  isNullable: nullable,
});

export const intColumn = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: "integer",
  isNullable: nullable,
});

/** An ISO-8601 UTC timestamp, "2024-11-14T02:00:00.000Z". */
export const timeColumn = (name: string, nullable = false): TableColumnOptions => textColumn(name, 24, nullable);

/** An ISO-8601 date, "2024-11-27". */
export const dateColumn = (name: string): TableColumnOptions => textColumn(name, 10);

/** A region code, "19.06.01.2001" at the longest. */
export const regionColumn = (name = "regionCode"): TableColumnOptions => textColumn(name, 13);
