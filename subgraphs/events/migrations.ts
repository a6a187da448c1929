import { MigrationInterface, QueryRunner, Table } from "typeorm";
import { idColumn, intColumn, regionColumn, textColumn, timeColumn } from "../kit/columns";

export class CreateEvents1732000000003 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: "events",
        columns: [
          idColumn(),
          textColumn("title", 200),
          textColumn("kind", 15),
          timeColumn("startsAt"),
          timeColumn("endsAt", true),
          textColumn("venue", 200, true),
          regionColumn(),
          intColumn("electionId", true),
          intColumn("organizerId"),
        ],
        // every list is keyset-paged on (startsAt, id): unfiltered, by region range, by organizer (hostedEvents)
        indices: [
          { name: "IDX_events_starts", columnNames: ["startsAt", "id"] },
          { name: "IDX_events_region", columnNames: ["regionCode", "startsAt", "id"] },
          { name: "IDX_events_organizer", columnNames: ["organizerId", "startsAt", "id"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "event_speakers",
        columns: [idColumn(), intColumn("eventId"), intColumn("organizationId"), textColumn("name", 200, true), textColumn("topic", 200, true)],
        indices: [{ name: "IDX_event_speakers_event", columnNames: ["eventId"] }],
        foreignKeys: [{ columnNames: ["eventId"], referencedTableName: "events", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "event_participations",
        columns: [idColumn(), intColumn("eventId"), intColumn("organizationId"), intColumn("attendees"), timeColumn("recordedAt")],
        indices: [
          // one count per organization and event: recordAttendance upserts on it
          { name: "UQ_event_participations", columnNames: ["eventId", "organizationId"], isUnique: true },
          // attendedEvents of an organization
          { name: "IDX_event_participations_organization", columnNames: ["organizationId", "eventId"] },
        ],
        foreignKeys: [{ columnNames: ["eventId"], referencedTableName: "events", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("event_participations");
    await queryRunner.dropTable("event_speakers");
    await queryRunner.dropTable("events");
  }
}

export const migrations = [CreateEvents1732000000003];
