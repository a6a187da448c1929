import { MigrationInterface, QueryRunner, Table } from "typeorm";
import { dateColumn, idColumn, intColumn, regionColumn, textColumn } from "../kit/columns";

export class CreateElections1732000000002 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "elections",
        columns: [
          idColumn(),
          textColumn("title", 200),
          textColumn("office", 10),
          regionColumn(),
          dateColumn("campaignStartsOn"),
          dateColumn("campaignEndsOn"),
          dateColumn("votingDay"),
        ],
        indices: [
          // elections(regionCode): a region range, listed by voting day
          { name: "IDX_elections_region", columnNames: ["regionCode", "votingDay", "id"] },
          { name: "IDX_elections_voting", columnNames: ["votingDay", "id"] },
          // one election per office, region and voting day: what an import matches an election by
          { name: "UQ_elections_office", columnNames: ["office", "regionCode", "votingDay"], isUnique: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "candidate_pairs",
        columns: [idColumn(), intColumn("electionId"), intColumn("ballotNumber"), textColumn("headCandidate", 120), textColumn("deputyCandidate", 120)],
        // serves Election.candidatePairs and keeps ballot numbers unique per election
        indices: [{ name: "UQ_candidate_pairs_ballot", columnNames: ["electionId", "ballotNumber"], isUnique: true }],
        foreignKeys: [{ columnNames: ["electionId"], referencedTableName: "elections", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("candidate_pairs");
    await queryRunner.dropTable("elections");
  }
}

export const migrations = [CreateElections1732000000002];
