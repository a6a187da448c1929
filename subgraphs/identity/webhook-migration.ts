import { MigrationInterface, QueryRunner, Table } from "typeorm";
import { idColumn, intColumn, longTextColumn, textColumn, timeColumn } from "../kit/columns";

/** Webhooks (registrations, cursor, lease) and their delivery log. */
export class CreateWebhooks1737000000106 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "webhooks",
        columns: [
          idColumn(),
          textColumn("ownerSubject", 200),
          longTextColumn("callerClaims"),
          textColumn("url", 2000),
          longTextColumn("subscription"),
          textColumn("secret", 100),
          textColumn("cursor", 40, true),
          { name: "disabled", type: "boolean", isNullable: false },
          textColumn("disabledReason", 500, true),
          timeColumn("createdAt"),
          textColumn("leaseHolder", 100, true),
          timeColumn("leaseExpiresAt", true),
        ],
        indices: [{ name: "IDX_webhooks_owner", columnNames: ["ownerSubject", "id"] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "webhook_deliveries",
        columns: [
          idColumn(),
          intColumn("webhookId"),
          textColumn("messageId", 80),
          textColumn("eventType", 30),
          textColumn("sequence", 40, true),
          intColumn("statusCode", true),
          intColumn("attempts"),
          textColumn("lastError", 500, true),
          timeColumn("nextRetryAt", true),
          timeColumn("deliveredAt", true),
          timeColumn("createdAt"),
          longTextColumn("pendingBody", true),
        ],
        indices: [
          { name: "UQ_webhook_deliveries_message", columnNames: ["webhookId", "messageId"], isUnique: true },
          { name: "IDX_webhook_deliveries_recent", columnNames: ["webhookId", "id"] },
        ],
        foreignKeys: [{ columnNames: ["webhookId"], referencedTableName: "webhooks", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("webhook_deliveries");
    await queryRunner.dropTable("webhooks");
  }
}
