import { MigrationInterface, QueryRunner, Table } from "typeorm";
import { idColumn, intColumn, longTextColumn, textColumn, timeColumn } from "./columns";

/** Where `/ready/writes` tries a write while writes are failing (kit/storage.ts). */
export const PROBE_TABLE = "storage_probe";

/** The idempotency keys of creating writes (kit/idempotency.ts). */
export const IDEMPOTENCY_TABLE = "idempotency_keys";

/** The kit's own tables, in every subgraph's database (openDatabase runs it after the subgraph's migrations). */
export class StorageTables1736000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(new Table({ name: PROBE_TABLE, columns: [idColumn(), longTextColumn("payload")] }));
    await queryRunner.createTable(
      new Table({
        name: IDEMPOTENCY_TABLE,
        columns: [
          // Scoped to (token subject, mutation): two callers may pick the same key without meeting.
          { ...textColumn("subject", 200), isPrimary: true },
          { ...textColumn("mutation", 40), isPrimary: true },
          { ...textColumn("idempotencyKey", 128), isPrimary: true },
          textColumn("inputHash", 64),
          intColumn("resultId", true),
          timeColumn("createdAt"),
        ],
        indices: [{ name: "IDX_idempotency_keys_created", columnNames: ["createdAt"] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(IDEMPOTENCY_TABLE);
    await queryRunner.dropTable(PROBE_TABLE);
  }
}

/**
 * Results named by text (an evidence upload's UUID) rather than a number: `resultRef` beside `resultId`.
 * A plain ADD COLUMN, which both engines take without copying the table.
 */
export class IdempotencyResultRef1739000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${IDEMPOTENCY_TABLE} ADD COLUMN resultRef varchar(64) NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${IDEMPOTENCY_TABLE} DROP COLUMN resultRef`);
  }
}
