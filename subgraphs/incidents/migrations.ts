import { MigrationInterface, QueryRunner, Table, TableIndex } from "typeorm";
import { createListVersions, dropListVersions } from "../kit/list-versions";
import { idColumn, intColumn, longTextColumn, regionColumn, textColumn, timeColumn } from "../kit/columns";
import { reportingDeadline } from "./deadline";

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

const REPORT_COLUMNS = [
  timeColumn("discoveredAt", true),
  timeColumn("reportingDueAt", true),
  timeColumn("handlingStartedAt", true),
  timeColumn("handlingDueAt", true),
  timeColumn("handlingExtendedAt", true),
  textColumn("handlingExtensionReason", 1000, true),
  intColumn("handlingExtendedByOrgId", true),
  timeColumn("reportingWarnedAt", true),
  timeColumn("handlingWarnedAt", true),
  timeColumn("withdrawnAt", true),
  textColumn("withdrawalReason", 1000, true),
];

/**
 * The handling clock, correction and withdrawal: discovery time and both deadlines as UTC instants
 * (the clock and the overdue filter compare them in SQL), the DEADLINE_NEAR state per report, the versions
 * of a report's content, the clock's lease, and room for DEADLINE_NEAR in incident_alerts.kind. Existing
 * reports were discovered when they occurred; their versions start with the report as it stands.
 */
export class ReportHandling1736000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ADD COLUMN on both engines: TypeORM's SQLite addColumns copies the table, and dropping the old
    // copy would cascade to the history and alerts that reference it.
    for (const column of REPORT_COLUMNS) {
      await queryRunner.query(`ALTER TABLE incident_reports ADD COLUMN ${column.name} ${column.type}${column.length ? `(${column.length})` : ""} NULL`);
    }
    const reports = (await queryRunner.query("SELECT id, occurredAt, regionCode FROM incident_reports")) as Array<{ id: number; occurredAt: string; regionCode: string }>;
    for (const report of reports) {
      await queryRunner.query("UPDATE incident_reports SET discoveredAt = ?, reportingDueAt = ? WHERE id = ?", [
        report.occurredAt,
        reportingDeadline(report.occurredAt, report.regionCode),
        report.id,
      ]);
    }
    await queryRunner.createIndices("incident_reports", [
      new TableIndex({ name: "IDX_incident_reports_reporting_due", columnNames: ["reportingDueAt"] }),
      new TableIndex({ name: "IDX_incident_reports_handling_due", columnNames: ["handlingDueAt"] }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: "incident_report_versions",
        columns: [
          idColumn(),
          intColumn("reportId"),
          intColumn("version"),
          textColumn("kind", 12),
          textColumn("category", 20),
          longTextColumn("description"),
          textColumn("url", 2000, true),
          textColumn("changed", 100),
          textColumn("reason", 1000, true),
          timeColumn("at"),
          intColumn("byOrgId"),
        ],
        indices: [{ name: "IDX_incident_report_versions_report", columnNames: ["reportId", "version"], isUnique: true }],
        foreignKeys: [{ columnNames: ["reportId"], referencedTableName: "incident_reports", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await queryRunner.query(
      "INSERT INTO incident_report_versions (reportId, version, kind, category, description, url, changed, at, byOrgId) " +
        "SELECT id, 1, 'FILED', category, description, url, '', reportedAt, reporterOrgId FROM incident_reports",
    );
    // The deadline clock's lease: the replica named in `holder` raises DEADLINE_NEAR until `expiresAt`.
    await queryRunner.createTable(new Table({ name: "incident_clock_lease", columns: [{ ...intColumn("id"), isPrimary: true }, textColumn("holder", 64), timeColumn("expiresAt")] }));
    await queryRunner.query("INSERT INTO incident_clock_lease (id, holder, expiresAt) VALUES (1, '', '1970-01-01T00:00:00.000Z')");
    // SQLite does not enforce varchar lengths; MySQL would refuse "DEADLINE_NEAR" in varchar(10).
    if (queryRunner.connection.options.type === "mysql") await queryRunner.query("ALTER TABLE incident_alerts MODIFY kind varchar(20) NOT NULL");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "mysql") await queryRunner.query("ALTER TABLE incident_alerts MODIFY kind varchar(10) NOT NULL");
    await queryRunner.dropTable("incident_clock_lease");
    await queryRunner.dropTable("incident_report_versions");
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_handling_due");
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_reporting_due");
    for (const column of REPORT_COLUMNS) await queryRunner.query(`ALTER TABLE incident_reports DROP COLUMN ${column.name}`);
  }
}

/**
 * Evidence files: one row per upload, attached to at most one report. Rows are never updated but by
 * attaching, and deleted only by the retention job while unattached.
 */
export class IncidentEvidence1737000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "incident_evidence",
        columns: [
          { ...textColumn("id", 36), isPrimary: true },
          intColumn("reportId", true),
          textColumn("contentType", 100),
          intColumn("size"),
          textColumn("sha256", 64),
          textColumn("originalSha256", 64),
          intColumn("originalSize"),
          { name: "mayCarryMetadata", type: "boolean" },
          timeColumn("uploadedAt"),
          intColumn("uploadedByOrgId"),
          textColumn("uploadedBySub", 200),
          timeColumn("attachedAt", true),
        ],
        indices: [
          { name: "IDX_incident_evidence_report", columnNames: ["reportId", "attachedAt"] },
          // The retention job's scan: unattached uploads, oldest first.
          { name: "IDX_incident_evidence_uploaded", columnNames: ["uploadedAt"] },
        ],
        foreignKeys: [{ columnNames: ["reportId"], referencedTableName: "incident_reports", referencedColumnNames: ["id"] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("incident_evidence");
  }
}

/**
 * The region board (incidentCounts): open reports of a region grouped by child region and category, read from
 * this index alone (the region a range, status and withdrawal tested and category counted inside it).
 */
export class IncidentCountsIndex1738000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      "incident_reports",
      new TableIndex({ name: "IDX_incident_reports_region_open", columnNames: ["regionCode", "status", "withdrawnAt", "category"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_region_open");
  }
}

/**
 * The incident list by date (filter.from/to on occurredAt): the window is a range of this index, region and
 * withdrawal are tested inside it and the page sorts by the reportedAt it holds, so neither the count nor the page's
 * keys read a report row. Measured on SQLite with 200,000 reports over 90 days (docs/BENCHMARKS.md): a province over
 * a month, count 285 to 24 ms, page 336 to 28 ms; the whole country on one day, count 503 to 1 ms, page 356 to 1.4 ms.
 */
export class IncidentOccurredIndex1739000000005 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      "incident_reports",
      new TableIndex({ name: "IDX_incident_reports_occurred", columnNames: ["occurredAt", "regionCode", "withdrawnAt", "reportedAt"] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("incident_reports", "IDX_incident_reports_occurred");
  }
}

export const migrations = [
  CreateIncidents1732000000005,
  IncidentRegionCategoryIndex1733000000005,
  IncidentListIndexes1734000000005,
  ReportListVersion1735000000005,
  ReportHandling1736000000005,
  IncidentEvidence1737000000005,
  IncidentCountsIndex1738000000005,
  IncidentOccurredIndex1739000000005,
];
