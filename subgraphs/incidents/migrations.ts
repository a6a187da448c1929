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
 * The incident list filtered by region and category: with the region index alone, the page's totalCount
 * reads every report of the region to test its category; with the category inside the index it is index-only.
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
 * The incident list's count and page from the index alone (figures in docs/BENCHMARKS.md):
 * - IDX_incident_reports_category_region (category, regionCode, reportedAt, id) replaces (regionCode,
 *   category, ...): a region prefix is a range, so that index read every report of the region to test its
 *   category; category first makes each category one range of just its reports in the region.
 *   On SQLite it needs the region bounds of kit/filters.ts to range on regionCode after category.
 * - IDX_incident_reports_reported_cover (reportedAt, id, regionCode, category) replaces (reportedAt, id):
 *   for a dense filter the page walks the newest reports first, and tests region and category inside
 *   the index instead of reading each report.
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
 * list_versions (kit/list-versions.ts), so readers of report lists reuse exact counts until a report is
 * filed or reviewed, instead of counting thousands of index entries per page.
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
