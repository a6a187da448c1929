import { MigrationInterface, QueryRunner, Table } from "typeorm";
import { idColumn, intColumn, longTextColumn, regionColumn, textColumn, timeColumn } from "../kit/columns";

export class CreateDeclarations1732000000004 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "declarations",
        columns: [
          idColumn(),
          textColumn("title", 200),
          longTextColumn("pledges"), // JSON array: at most 20 pledges of 500 characters
          timeColumn("declaredAt"),
          regionColumn(),
          intColumn("eventId", true),
          intColumn("electionId", true),
          intColumn("createdByOrgId"),
          timeColumn("createdAt"),
        ],
        // Keyset pages of `declarations` by declaredAt: unfiltered, by region prefix, by event (Event.declarations).
        indices: [
          { name: "IDX_declarations_declared", columnNames: ["declaredAt", "id"] },
          { name: "IDX_declarations_region", columnNames: ["regionCode", "declaredAt", "id"] },
          { name: "IDX_declarations_event", columnNames: ["eventId", "declaredAt", "id"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "declaration_signatures",
        columns: [idColumn(), intColumn("declarationId"), intColumn("organizationId"), textColumn("signedBy", 120), timeColumn("signedAt")],
        indices: [
          // One signature per organization; also what makes a repeated or concurrent signDeclaration a no-op.
          { name: "UQ_declaration_signatures_org", columnNames: ["declarationId", "organizationId"], isUnique: true },
          // Organization.declarationsSigned.
          { name: "IDX_declaration_signatures_signer", columnNames: ["organizationId", "declarationId"] },
        ],
        foreignKeys: [{ columnNames: ["declarationId"], referencedTableName: "declarations", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("declaration_signatures");
    await queryRunner.dropTable("declarations");
  }
}

export const migrations = [CreateDeclarations1732000000004];
