import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

export enum EventKind {
  SOCIALIZATION = "SOCIALIZATION", // sosialisasi
  COACHING = "COACHING", // pembinaan (of ormas and LSM)
  DECLARATION = "DECLARATION", // deklarasi, e.g. Deklarasi Pilkada Damai
  CAMPAIGN = "CAMPAIGN", // kampanye
  DEBATE = "DEBATE", // debat paslon
  MONITORING = "MONITORING", // pemantauan
  OTHER = "OTHER",
}
registerEnumType(EventKind, { name: "EventKind" });

/** A scheduled gathering: a socialization by Kesbangpol, a debate, a monitoring round. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity("events")
export class Event {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Field() @Column({ type: "varchar", length: 200 }) title: string;
  @Field(() => EventKind) @Column({ type: "varchar", length: 15 }) kind: EventKind;
  @Field({ description: "ISO date-time, UTC" }) @Column({ type: "varchar", length: 24 }) startsAt: string;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 24, nullable: true }) endsAt: string | null;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 200, nullable: true }) venue: string | null;
  @Column({ type: "varchar", length: 13 }) regionCode: string;
  /** An Election of the elections subgraph. */
  @Column({ type: "integer", nullable: true }) electionId: number | null;
  /** An Organization of the organizations subgraph. */
  @Column() organizerId: number;
}

/** A speaker (narasumber) at an event, on behalf of an organization, e.g. Bawaslu Belitung Timur. */
@ObjectType()
@Entity("event_speakers")
export class EventSpeaker {
  @PrimaryGeneratedColumn() id: number;
  @Column() eventId: number;
  @Column() organizationId: number;
  @Field(() => String, { nullable: true, description: "the person speaking" })
  @Column({ type: "varchar", length: 200, nullable: true })
  name: string | null;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 200, nullable: true }) topic: string | null;
}

/** How many people of one organization (its pengurus) attended an event; one row per organization. */
@ObjectType()
@Entity("event_participations")
export class EventParticipation {
  @PrimaryGeneratedColumn() id: number;
  @Column() eventId: number;
  @Column() organizationId: number;
  @Field(() => Int) @Column() attendees: number;
  /** When the count was last recorded; recording again replaces it. */
  @Column({ type: "varchar", length: 24 }) recordedAt: string;
}
