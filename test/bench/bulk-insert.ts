import type { DataSource } from "typeorm";

/** One row's values, in the column order given to bulkInsert. */
export type Row = Array<string | number | null>;

/** Parameters per statement: below SQLite's 32,766 bound variables, and a few MB of MySQL packet. */
const MAX_PARAMETERS = 30_000;
/** Rows per transaction: large enough to amortize commits, small enough to keep undo logs modest. */
const ROWS_PER_TRANSACTION = 50_000;

/**
 * Inserts rows with multi-row INSERT statements inside transactions, through the subgraph's own
 * DataSource (so the same code serves SQLite and MySQL; both accept ? parameters and backquoted names).
 * Returns the number of rows inserted.
 */
export async function bulkInsert(db: DataSource, table: string, columns: readonly string[], rows: Iterable<Row>): Promise<number> {
  const perStatement = Math.max(1, Math.min(1000, Math.floor(MAX_PARAMETERS / columns.length)));
  const head = `INSERT INTO \`${table}\` (${columns.map((column) => `\`${column}\``).join(", ")}) VALUES `;
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  const runner = db.createQueryRunner();
  await runner.connect();
  let inserted = 0;
  let inTransaction = 0;
  let batch: Row[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    if (inTransaction === 0) await runner.startTransaction();
    await runner.query(head + batch.map(() => tuple).join(", "), batch.flat());
    inserted += batch.length;
    inTransaction += batch.length;
    batch = [];
    if (inTransaction >= ROWS_PER_TRANSACTION) {
      await runner.commitTransaction();
      inTransaction = 0;
    }
  };
  try {
    for (const row of rows) {
      if (row.length !== columns.length) throw new Error(`${table}: a row has ${row.length} values for ${columns.length} columns`);
      batch.push(row);
      if (batch.length >= perStatement) await flush();
    }
    await flush();
    if (inTransaction > 0) await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
  return inserted;
}
