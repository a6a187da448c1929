import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from "typeorm";
import { idColumn, intColumn, textColumn, timeColumn } from "../kit/columns";

const flagColumn = (name: string): TableColumnOptions => ({ name, type: "boolean", isNullable: false });

export class CreateIdentity1737000000006 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "accounts",
        columns: [
          idColumn(),
          intColumn("organizationId"),
          textColumn("role", 10),
          textColumn("regions", 500),
          textColumn("loginName", 254),
          textColumn("passwordHash", 200),
          flagColumn("admin"),
          flagColumn("disabled"),
          flagColumn("mustChangePassword"),
          timeColumn("createdAt"),
          intColumn("createdBy", true),
        ],
        indices: [
          { name: "UQ_accounts_login", columnNames: ["loginName"], isUnique: true },
          { name: "IDX_accounts_organization", columnNames: ["organizationId", "id"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "refresh_tokens",
        columns: [
          idColumn(),
          intColumn("accountId"),
          textColumn("family", 32),
          textColumn("tokenHash", 64),
          timeColumn("createdAt"),
          timeColumn("expiresAt"),
          timeColumn("usedAt", true),
          timeColumn("revokedAt", true),
        ],
        indices: [
          { name: "UQ_refresh_tokens_hash", columnNames: ["tokenHash"], isUnique: true },
          { name: "IDX_refresh_tokens_family", columnNames: ["family"] },
          { name: "IDX_refresh_tokens_account", columnNames: ["accountId"] },
        ],
        foreignKeys: [{ columnNames: ["accountId"], referencedTableName: "accounts", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "audit_events",
        columns: [
          idColumn(),
          textColumn("kind", 30),
          timeColumn("at"),
          intColumn("actorAccountId", true),
          intColumn("accountId", true),
          intColumn("organizationId", true),
          textColumn("regions", 500),
          textColumn("clientAddress", 64, true),
          textColumn("detail", 500, true),
        ],
        indices: [
          { name: "IDX_audit_events_at", columnNames: ["at", "id"] },
          { name: "IDX_audit_events_account", columnNames: ["accountId", "at", "id"] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("audit_events");
    await queryRunner.dropTable("refresh_tokens");
    await queryRunner.dropTable("accounts");
  }
}

export const migrations = [CreateIdentity1737000000006];
