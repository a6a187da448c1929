import { MigrationInterface, QueryRunner, Table, TableIndex } from "typeorm";
import { createListVersions, dropListVersions } from "../kit/list-versions";
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

/**
 * Issue 5, second round: the incident list's count and page from the index alone, at national size
 * (200,000 reports), measured per SQL statement on MariaDB 10.11:
 * - IDX_incident_reports_category_region (category, regionCode, reportedAt, id) replaces (regionCode,
 *   category, ...): a region prefix is a range, so that index read every report of the region to test its
 *   category; category first makes each category one range of just its reports in the region. A province
 *   and two categories (5,976 reports): count 4.7 to 2.3 ms; a regency and one category: 1.2 to 0.6 ms.
 *   On SQLite it needs the region bounds of kit/filters.ts to range on regionCode after category.
 * - IDX_incident_reports_reported_cover (reportedAt, id, regionCode, category) replaces (reportedAt, id):
 *   for a dense filter the page walks the newest reports first, and now tests region and category inside
 *   the index instead of reading each report (a province and two categories: page keys 1.8 to 0.5 ms).
 */
export class IncidentListIndexes1734000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      "incident_reports",
      new TableIndex({ name: "IDX_incident_reports_category_region", columnNames: ["category", "regionCode", "reportedAt", "id"] }),
    );
    await queryRunner.createIndex(
      "incident_reports",
      new TableIndex({ name: "IDX_incident_reports_reported_cover", columnNames: ["reportedAt", "id", "regionCode", "category"] }),
    );
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_region_category");
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_reported");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex("incident_reports", new TableIndex({ name: "IDX_incident_reports_reported", columnNames: ["reportedAt", "id"] }));
    await queryRunner.createIndex(
      "incident_reports",
      new TableIndex({ name: "IDX_incident_reports_region_category", columnNames: ["regionCode", "category", "reportedAt", "id"] }),
    );
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_reported_cover");
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_category_region");
  }
}

/**
 * Issue 5, third round: list_versions (kit/list-versions.ts), so readers of report lists reuse exact counts
 * until a report is filed or reviewed: a province and two categories counted 5,976 index entries per page.
 */
export class ReportListVersion1735000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await createListVersions(queryRunner, ["incident_reports"]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropListVersions(queryRunner);
  }
}

export const migrations = [CreateIncidents1732000000005, IncidentRegionCategoryIndex1733000000005, IncidentListIndexes1734000000005, ReportListVersion1735000000005];
