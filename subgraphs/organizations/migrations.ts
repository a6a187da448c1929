import { MigrationInterface, QueryRunner, Table } from "typeorm";
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

export const migrations = [CreateOrganizations1732000000001];
