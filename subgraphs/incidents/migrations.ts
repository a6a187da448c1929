import { MigrationInterface, QueryRunner, Table, TableIndex } from "typeorm";
import { idColumn, intColumn, longTextColumn, regionColumn, textColumn, timeColumn } from "../kit/columns";

export class CreateIncidents1732000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "incident_reports",
        columns: [
          idColumn(),
          textColumn("category", 20),
          textColumn("channel", 20),
          textColumn("platform", 50, true),
          textColumn("url", 2000, true),
          textColumn("title", 200),
          longTextColumn("description"),
          timeColumn("occurredAt"),
          timeColumn("reportedAt"),
          regionColumn(),
          intColumn("candidatePairId", true),
          intColumn("eventId", true),
          intColumn("reporterOrgId"),
          textColumn("severity", 10),
          textColumn("status", 20),
        ],
        // Keyset pages by reportedAt (newest first): all reports, by region prefix, by reporter, by event.
        indices: [
          { name: "IDX_incident_reports_reported", columnNames: ["reportedAt", "id"] },
          { name: "IDX_incident_reports_region", columnNames: ["regionCode", "reportedAt", "id"] },
          { name: "IDX_incident_reports_reporter", columnNames: ["reporterOrgId", "reportedAt", "id"] },
          { name: "IDX_incident_reports_event", columnNames: ["eventId", "reportedAt", "id"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "incident_status_changes",
        columns: [idColumn(), intColumn("reportId"), textColumn("status", 20), textColumn("note", 1000, true), timeColumn("at"), intColumn("byOrgId")],
        indices: [{ name: "IDX_incident_status_changes_report", columnNames: ["reportId", "id"] }],
        foreignKeys: [{ columnNames: ["reportId"], referencedTableName: "incident_reports", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "incident_alerts",
        // The auto-increment sequence is the replay cursor: replays scan the primary key from `after`.
        columns: [
          { ...idColumn(), name: "sequence" },
          textColumn("kind", 10),
          intColumn("reportId"),
          timeColumn("raisedAt"),
          regionColumn(),
          textColumn("category", 20),
          textColumn("severity", 10),
        ],
        foreignKeys: [{ columnNames: ["reportId"], referencedTableName: "incident_reports", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    // One row whose lock makes alert-raising transactions commit in sequence order (see raise.ts).
    await queryRunner.createTable(
      new Table({ name: "incident_alert_lock", columns: [{ ...intColumn("id"), isPrimary: true }, intColumn("alertsRaised")] }),
    );
    await queryRunner.query("INSERT INTO incident_alert_lock (id, alertsRaised) VALUES (1, 0)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("incident_alert_lock");
    await queryRunner.dropTable("incident_alerts");
    await queryRunner.dropTable("incident_status_changes");
    await queryRunner.dropTable("incident_reports");
  }
}

/**
 * Issue 5 (national scale, 200,000 reports): the incident list filtered by region and category. The region
 * index alone makes the page's totalCount read every report of the region to test its category (63 ms for
 * a province on MariaDB at national size); with the category inside the index the count is index-only (9 ms).
 */
export class IncidentRegionCategoryIndex1733000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      "incident_reports",
      new TableIndex({ name: "IDX_incident_reports_region_category", columnNames: ["regionCode", "category", "reportedAt", "id"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_region_category");
  }
}

export const migrations = [CreateIncidents1732000000005, IncidentRegionCategoryIndex1733000000005];
