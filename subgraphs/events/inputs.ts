import { Field, ID, InputType } from "type-graphql";
import type { Caller } from "../../caller/claims";
import { badInput, forbiddenInput } from "../../platform/errors";
import { IDEMPOTENCY_KEY_DESCRIPTION } from "../kit/idempotency";
import { isoDateTime, optionalDateTime, optionalText, recordId, regionInScope, requiredText } from "../kit/validate";
import { Event, EventKind, EventSpeaker } from "./entities";
import { message } from "../../platform/i18n";

@InputType()
export class EventFilter {
  @Field({ nullable: true, description: 'region prefix: "19" = the province, "19.06" = Belitung Timur' }) regionCode?: string;
  @Field(() => EventKind, { nullable: true }) kind?: EventKind;
  @Field({ nullable: true, description: "ISO date-time: events starting at or after it" }) from?: string;
  @Field({ nullable: true, description: "ISO date-time: events starting at or before it" }) to?: string;
  @Field(() => ID, { nullable: true }) organizerId?: string;
}

@InputType()
export class EventSpeakerInput {
  @Field(() => ID) organizationId: string;
  @Field({ nullable: true }) name?: string;
  @Field({ nullable: true }) topic?: string;
}

@InputType()
export class ScheduleEventInput {
  @Field() title: string;
  @Field(() => EventKind) kind: EventKind;
  @Field({ description: "ISO date-time with a time zone, e.g. 2024-11-14T09:00:00+07:00" }) startsAt: string;
  @Field({ nullable: true }) endsAt?: string;
  @Field({ nullable: true }) venue?: string;
  @Field() regionCode: string;
  @Field(() => ID, { nullable: true }) electionId?: string;
  @Field(() => ID) organizerId: string;
  @Field(() => [EventSpeakerInput], { nullable: true, description: "narasumber" }) speakers?: EventSpeakerInput[];
  @Field({ nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }) idempotencyKey?: string;
}

const MAX_SPEAKERS = 50;

/** A schedule request that passed every local rule; ids of other subgraphs still need their owner's check. */
export interface CheckedSchedule {
  event: Omit<Event, "id">;
  speakers: Array<Omit<EventSpeaker, "id" | "eventId">>;
}

/**
 * Checks everything that needs no other subgraph. An ORMAS schedules for itself only; an AGENCY may name any
 * organizer (Kesbangpol registering a Bawaslu event). The region must lie in the caller's regions.
 */
export function checkSchedule(input: ScheduleEventInput, caller: Caller): CheckedSchedule {
  const title = requiredText("input.title", input.title, { max: 200 });
  const startsAt = isoDateTime("input.startsAt", input.startsAt);
  const endsAt = optionalDateTime("input.endsAt", input.endsAt);
  if (endsAt !== null && endsAt < startsAt) throw badInput("input.endsAt", message("rule.notBefore", { other: "input.startsAt" }));
  const organizerId = recordId("input.organizerId", input.organizerId);
  if (caller.role !== "AGENCY" && String(organizerId) !== caller.org) {
    throw forbiddenInput("input.organizerId", message("rule.ownOrganization", { organization: caller.org ?? message("word.none"), why: message("why.ormasSchedulesOwnEvents") }));
  }
  const speakers = input.speakers ?? [];
  if (speakers.length > MAX_SPEAKERS) throw badInput("input.speakers", message("rule.speakersAtMost", { max: MAX_SPEAKERS }));
  return {
    event: {
      title,
      kind: input.kind,
      startsAt,
      endsAt,
      venue: optionalText("input.venue", input.venue, { max: 200 }),
      regionCode: regionInScope("input.regionCode", input.regionCode, caller),
      electionId: input.electionId === undefined || input.electionId === null ? null : recordId("input.electionId", input.electionId),
      organizerId,
    },
    speakers: speakers.map((speaker, index) => ({
      organizationId: recordId(`input.speakers[${index}].organizationId`, speaker.organizationId),
      name: optionalText(`input.speakers[${index}].name`, speaker.name, { max: 200 }),
      topic: optionalText(`input.speakers[${index}].topic`, speaker.topic, { max: 200 }),
    })),
  };
}

/** The organization ids a schedule names, for one existence check at the organizations subgraph. */
export function organizationIdsOf(schedule: CheckedSchedule): Array<{ field: string; id: string }> {
  return [
    { field: "input.organizerId", id: String(schedule.event.organizerId) },
    ...schedule.speakers.map((speaker, index) => ({ field: `input.speakers[${index}].organizationId`, id: String(speaker.organizationId) })),
  ];
}
