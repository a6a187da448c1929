import { MigrationInterface, QueryRunner, Table, TableIndex } from "typeorm";
import { nameTokens, searchForm } from "../kit/filters";
import { createListVersions, dropListVersions } from "../kit/list-versions";
import { idColumn, intColumn, regionColumn, textColumn, timeColumn } from "../kit/columns";

export class CreateOrganizations1732000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "regions",
        columns: [
          { ...regionColumn("code"), isPrimary: true },
          textColumn("name", 100),
          textColumn("level", 8),
          { ...regionColumn("parentCode"), isNullable: true },
        ],
        indices: [{ name: "IDX_regions_parent", columnNames: ["parentCode", "code"] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "organizations",
        columns: [
          idColumn(),
          textColumn("name", 200),
          textColumn("nameKey", 200),
          textColumn("acronym", 30, true),
          textColumn("kind", 10),
          textColumn("agencyType", 20, true),
          textColumn("legalForm", 20, true),
          textColumn("registrationNumber", 100, true),
          regionColumn(),
          textColumn("address", 300, true),
          textColumn("status", 10),
          timeColumn("registeredAt"),
        ],
        indices: [
          { name: "IDX_organizations_name", columnNames: ["nameKey", "id"] },
          { name: "IDX_organizations_region", columnNames: ["regionCode", "nameKey", "id"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "board_members",
        columns: [idColumn(), intColumn("organizationId"), textColumn("name", 120), textColumn("position", 120), textColumn("phone", 30, true)],
        indices: [{ name: "IDX_board_members_organization", columnNames: ["organizationId"] }],
        foreignKeys: [{ columnNames: ["organizationId"], referencedTableName: "organizations", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("board_members");
    await queryRunner.dropTable("organizations");
    await queryRunner.dropTable("regions");
  }
}

/** organization_name_tokens as OrganizationNameSearch created it (and OrganizationSearchTokens' down restores it). */
function nameTokensTable(): Table {
  return new Table({
    name: "organization_name_tokens",
    columns: [
      { ...textColumn("token", 50), isPrimary: true },
      { ...intColumn("organizationId"), isPrimary: true },
    ],
    indices: [{ name: "IDX_organization_name_tokens_organization", columnNames: ["organizationId"] }],
    foreignKeys: [{ columnNames: ["organizationId"], referencedTableName: "organizations", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
  });
}

/**
 * Name search and directory pages by index:
 * - organization_name_tokens: every word of every name, so `search` is a prefix range scan per word
 *   (LIKE '%x%' reads every name).
 * - IDX_organizations_name_region (nameKey, id, regionCode): a region's directory page can walk the name
 *   order and test the region inside the index, without a row read per skipped organization.
 * Existing names are tokenized here; new ones by registerOrganization, in its transaction.
 */
export class OrganizationNameSearch1733000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(nameTokensTable());
    await queryRunner.createIndex("organizations", new TableIndex({ name: "IDX_organizations_name_region", columnNames: ["nameKey", "id", "regionCode"] }));
    // Backfill in id order, a few thousand names per round, so a large directory never sits in memory whole.
    let after = 0;
    for (;;) {
      const rows = (await queryRunner.query("SELECT id, nameKey FROM organizations WHERE id > ? ORDER BY id LIMIT 5000", [after])) as Array<{ id: number; nameKey: string }>;
      if (rows.length === 0) break;
      const tokens = rows.flatMap((row) => nameTokens(row.nameKey).map((token) => [token, Number(row.id)]));
      for (let start = 0; start < tokens.length; start += 1000) {
        const chunk = tokens.slice(start, start + 1000);
        await queryRunner.query(`INSERT INTO organization_name_tokens (token, organizationId) VALUES ${chunk.map(() => "(?, ?)").join(", ")}`, chunk.flat());
      }
      after = Number(rows[rows.length - 1].id);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex("organizations", "IDX_organizations_name_region");
    await queryRunner.dropTable("organization_name_tokens");
  }
}

/**
 * Name search without reading organizations.
 * organization_search_tokens (token, nameKey, organizationId, regionCode), primary key (token, nameKey,
 * organizationId), clustered on both engines (InnoDB; WITHOUT ROWID on SQLite), replaces
 * organization_name_tokens. With the name's sort key beside each word, a search page is the start of one
 * index range in name order, and its totalCount an index-only count of that range (organizations/search.ts);
 * before, both joined every match to its organization row, a random read each (figures in docs/BENCHMARKS.md).
 * The copy from organization_name_tokens runs a few thousand organizations per statement.
 */
export class OrganizationSearchTokens1734000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "organization_search_tokens",
        withoutRowid: true,
        columns: [
          { ...textColumn("token", 50), isPrimary: true },
          { ...textColumn("nameKey", 200), isPrimary: true },
          { ...intColumn("organizationId"), isPrimary: true },
          regionColumn(),
        ],
        indices: [{ name: "IDX_organization_search_tokens_organization", columnNames: ["organizationId"] }],
        foreignKeys: [{ columnNames: ["organizationId"], referencedTableName: "organizations", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await copyInIdRanges(
      queryRunner,
      `INSERT INTO organization_search_tokens (token, nameKey, organizationId, regionCode)
       SELECT t.token, o.nameKey, o.id, o.regionCode FROM organization_name_tokens t JOIN organizations o ON o.id = t.organizationId
       WHERE o.id > ? AND o.id <= ?`,
    );
    await queryRunner.dropTable("organization_name_tokens");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(nameTokensTable());
    await copyInIdRanges(
      queryRunner,
      "INSERT INTO organization_name_tokens (token, organizationId) SELECT token, organizationId FROM organization_search_tokens WHERE organizationId > ? AND organizationId <= ?",
    );
    await queryRunner.dropTable("organization_search_tokens");
  }
}

/** Runs `insert` (with ? ? for an exclusive lower and inclusive upper organization id) over every organization. */
async function copyInIdRanges(queryRunner: QueryRunner, insert: string): Promise<void> {
  const [{ last }] = (await queryRunner.query("SELECT MAX(id) AS last FROM organizations")) as Array<{ last: number | null }>;
  const step = 5000;
  for (let after = 0; after < Number(last ?? 0); after += step) await queryRunner.query(insert, [after, after + step]);
}

/**
 * list_versions (kit/list-versions.ts), so the directory's readers reuse exact counts and search plans until
 * registerOrganization changes the directory.
 */
export class DirectoryVersion1735000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await createListVersions(queryRunner, ["organizations"]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropListVersions(queryRunner);
  }
}

/**
 * Search tokens in their search form (kit/filters.ts searchTokens), so that a search combined with a kind or
 * status filter, which reads this table, folds accents as the names in memory do ("jose" finds José, and
 * "strasse" Straße, on both engines). Only tokens with a letter outside ASCII change.
 */
export class FoldedSearchTokens1736000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type === "better-sqlite3";
    const multibyte = sqlite ? "length(CAST(token AS BLOB)) <> length(token)" : "LENGTH(token) <> CHAR_LENGTH(token)";
    const rows = (await queryRunner.query(`SELECT token, nameKey, organizationId, regionCode FROM organization_search_tokens WHERE ${multibyte}`)) as Array<{
      token: string;
      nameKey: string;
      organizationId: number;
      regionCode: string;
    }>;
    // Deleted first: MySQL's collation may call the folded token equal to the stored one.
    for (const row of rows) {
      await queryRunner.query("DELETE FROM organization_search_tokens WHERE token = ? AND nameKey = ? AND organizationId = ?", [row.token, row.nameKey, row.organizationId]);
    }
    const insert = sqlite ? "INSERT OR IGNORE" : "INSERT IGNORE";
    for (const row of rows) {
      await queryRunner.query(`${insert} INTO organization_search_tokens (token, nameKey, organizationId, regionCode) VALUES (?, ?, ?, ?)`, [
        searchForm(row.token),
        row.nameKey,
        row.organizationId,
        row.regionCode,
      ]);
    }
  }

  async down(): Promise<void> {
    // Not undone: the original tokens are not kept. Searching this table as before, accented names are found
    // by their folded words only, as MySQL's collation already found them.
  }
}

export const migrations = [CreateOrganizations1732000000001, OrganizationNameSearch1733000000001, OrganizationSearchTokens1734000000001, DirectoryVersion1735000000001, FoldedSearchTokens1736000000001];
