import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from "typeorm";
import { idColumn, intColumn, longTextColumn, textColumn, timeColumn } from "../kit/columns";

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

/** Partner apps (OAuth 2.0 client credentials), and what the audit trail records of them and of reporter deliveries. */
export class PartnerApps1737000000016 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "integrations",
        columns: [
          idColumn(),
          textColumn("clientId", 40),
          textColumn("name", 100),
          intColumn("organizationId"),
          textColumn("scopes", 100),
          textColumn("regions", 500),
          textColumn("secretHash", 64),
          textColumn("previousSecretHash", 64, true),
          timeColumn("previousSecretExpiresAt", true),
          timeColumn("createdAt"),
          intColumn("createdBy"),
          timeColumn("revokedAt", true),
        ],
        indices: [
          { name: "UQ_integrations_client", columnNames: ["clientId"], isUnique: true },
          { name: "IDX_integrations_created", columnNames: ["createdAt", "id"] },
        ],
      }),
    );
    await queryRunner.addColumns("audit_events", [
      new TableColumn(intColumn("integrationId", true)),
      new TableColumn(textColumn("subject", 200, true)),
      new TableColumn(intColumn("reportId", true)),
    ]);
    await queryRunner.createIndex("audit_events", new TableIndex({ name: "IDX_audit_events_report", columnNames: ["reportId", "at", "id"] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("audit_events", "IDX_audit_events_report");
    await queryRunner.dropColumns("audit_events", ["integrationId", "subject", "reportId"]);
    await queryRunner.dropTable("integrations");
  }
}

/**
 * The audit trail is append-only in the database itself, not only in the code: triggers refuse every UPDATE and
 * DELETE of audit_events, whoever sends it (a bug, a script, someone with the application's credentials).
 */
export class AppendOnlyAudit1737000000026 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === "better-sqlite3";
    for (const action of ["UPDATE", "DELETE"]) {
      const name = `audit_events_no_${action.toLowerCase()}`;
      await queryRunner.query(
        sqlite
          ? `CREATE TRIGGER ${name} BEFORE ${action} ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: ${action} refused'); END`
          : `CREATE TRIGGER ${name} BEFORE ${action} ON audit_events FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_events is append-only: ${action} refused'`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DROP TRIGGER IF EXISTS audit_events_no_update");
    await queryRunner.query("DROP TRIGGER IF EXISTS audit_events_no_delete");
  }
}

/** Sign-in failure counts in the database, so that every replica slows down the attempts all of them saw. */
export class SharedSignInFailures1737000000031 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "sign_in_failures",
        columns: [{ ...textColumn("throttleKey", 64), isPrimary: true }, intColumn("failures"), timeColumn("lastFailureAt")],
        indices: [{ name: "IDX_sign_in_failures_last", columnNames: ["lastFailureAt"] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("sign_in_failures");
  }
}


/** Trusted documents: each partner app's list of operations, and the flag that makes the gateway run only those. */
export class TrustedDocuments1737000000036 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "trusted_documents",
        columns: [idColumn(), intColumn("integrationId"), textColumn("documentId", 128), longTextColumn("document"), textColumn("operationName", 100, true), timeColumn("loadedAt")],
        indices: [{ name: "UQ_trusted_documents_id", columnNames: ["integrationId", "documentId"], isUnique: true }],
        foreignKeys: [{ columnNames: ["integrationId"], referencedTableName: "integrations", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await queryRunner.addColumn("integrations", new TableColumn({ ...flagColumn("trustedDocumentsRequired"), default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("integrations", "trustedDocumentsRequired");
    await queryRunner.dropTable("trusted_documents");
  }
}

export const migrations = [CreateIdentity1737000000006, PartnerApps1737000000016, AppendOnlyAudit1737000000026, SharedSignInFailures1737000000031, TrustedDocuments1737000000036];
