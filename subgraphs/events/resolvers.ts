import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { DataSource, SelectQueryBuilder } from "typeorm";
import { actsFor, isAgencyFor } from "../../caller/access";
import { Connection, connectionType, keysetPage, KeysetOrder } from "../kit/connection";
import { requireCaller, SubgraphContext } from "../kit/context";
import { badInput, forbiddenInput } from "../../platform/errors";
import { filterByRegion, filterByTime } from "../kit/filters";
import { IDEMPOTENCY_KEY_DESCRIPTION, writeOnce } from "../kit/idempotency";
import { assertEntitiesExist } from "../kit/lookups";
import { referenceById } from "../kit/subgraph";
import { ElectionRef, electionRef, idOrNull, OrganizationRef, organizationRef, RegionRef, regionRef } from "../kit/references";
import { count, recordId } from "../kit/validate";
import { Event, EventParticipation, EventSpeaker } from "./entities";
import { checkSchedule, EventFilter, organizationIdsOf, ScheduleEventInput } from "./inputs";
import { message } from "../../platform/i18n";

const EventConnection = connectionType(Event, "Event");
/** Every event list runs in time order, served by the (…, startsAt, id) indexes. */
const BY_START: KeysetOrder<Event> = { property: "startsAt", direction: "ASC" };

function eventQuery(db: DataSource): SelectQueryBuilder<Event> {
  return db.getRepository(Event).createQueryBuilder("e");
}

/** Narrows to one organization's rows; an id that is not one of ours matches nothing. */
function whereOrganization(query: SelectQueryBuilder<Event>, column: string, id: string): SelectQueryBuilder<Event> {
  const key = idOrNull(id);
  return key === null ? query.andWhere("1 = 0") : query.andWhere(`${column} = :organizationId`, { organizationId: key });
}

@Resolver(() => Event)
export class EventResolver {
  @Query(() => Event, { nullable: true })
  async event(@Arg("id", () => ID) id: string, @Ctx() { loaders }: SubgraphContext): Promise<Event | null> {
    return loaders.find(Event, id);
  }

  @Query(() => EventConnection, { description: "Events by start time, oldest first." })
  async events(
    @Ctx() { db }: SubgraphContext,
    @Arg("filter", () => EventFilter, { nullable: true }) filter?: EventFilter,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<Connection<Event>> {
    const query = eventQuery(db);
    filterByRegion(query, "e.regionCode", filter?.regionCode);
    if (filter?.kind) query.andWhere("e.kind = :kind", { kind: filter.kind });
    filterByTime(query, "e.startsAt", filter);
    if (filter?.organizerId !== undefined && filter.organizerId !== null) {
      query.andWhere("e.organizerId = :organizerId", { organizerId: recordId("filter.organizerId", filter.organizerId) });
    }
    return keysetPage(query, BY_START, first, after);
  }

  @FieldResolver(() => RegionRef)
  region(@Root() event: Event): RegionRef {
    return regionRef(event.regionCode);
  }

  @FieldResolver(() => ElectionRef, { nullable: true })
  election(@Root() event: Event): ElectionRef | null {
    return event.electionId === null ? null : electionRef(event.electionId);
  }

  @FieldResolver(() => OrganizationRef)
  organizer(@Root() event: Event): OrganizationRef {
    return organizationRef(event.organizerId);
  }

  @FieldResolver(() => [EventSpeaker], { description: "narasumber, in the order they were scheduled" })
  async speakers(@Root() event: Event, @Ctx() { loaders }: SubgraphContext): Promise<EventSpeaker[]> {
    return loaders.manyBy(EventSpeaker, "eventId").load(event.id);
  }

  @FieldResolver(() => [EventParticipation])
  async participants(@Root() event: Event, @Ctx() { loaders }: SubgraphContext): Promise<EventParticipation[]> {
    return loaders.manyBy(EventParticipation, "eventId").load(event.id);
  }

  @FieldResolver(() => Int, { description: "sum of participants' attendees" })
  async attendeeCount(@Root() event: Event, @Ctx() { loaders }: SubgraphContext): Promise<number> {
    const participants = await loaders.manyBy(EventParticipation, "eventId").load(event.id);
    return participants.reduce((sum, participation) => sum + participation.attendees, 0);
  }

  /** An agency or an ormas puts an event on the calendar, with its speakers (narasumber). */
  @Authorized("AGENCY", "ORMAS")
  @Mutation(() => Event)
  async scheduleEvent(
    @Arg("input", () => ScheduleEventInput) input: ScheduleEventInput,
    @Ctx() context: SubgraphContext,
  ): Promise<Event> {
    const caller = requireCaller(context);
    const { idempotencyKey, ...rest } = input;
    const { value } = await writeOnce(
      context,
      { mutation: "scheduleEvent", caller, key: idempotencyKey, field: "input.idempotencyKey", input: rest },
      {
        check: async () => {
          const schedule = checkSchedule(input, caller);
          const { electionId } = schedule.event;
          await Promise.all([
            assertEntitiesExist(context.peers, "organizations", "Organization", organizationIdsOf(schedule)),
            assertEntitiesExist(context.peers, "elections", "Election", electionId === null ? [] : [{ field: "input.electionId", id: String(electionId) }]),
          ]);
          return schedule;
        },
        write: async (manager, schedule) => {
          const saved = await manager.getRepository(Event).save(manager.getRepository(Event).create(schedule.event));
          if (schedule.speakers.length > 0) {
            await manager.getRepository(EventSpeaker).insert(schedule.speakers.map((speaker) => ({ ...speaker, eventId: saved.id })));
          }
          return saved;
        },
        idOf: (saved) => saved.id,
        replay: (id) => context.db.getRepository(Event).findOneByOrFail({ id }),
      },
    );
    return value;
  }

  /**
   * Records how many people of an organization attended; recording again replaces the count. For the
   * organizer, an AGENCY of the event's region, or the attending organization itself (integrators only read).
   */
  @Authorized("AGENCY", "ORMAS")
  @Mutation(() => Event)
  async recordAttendance(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("organizationId", () => ID) organizationId: string,
    @Arg("attendees", () => Int) attendees: number,
    @Ctx() context: SubgraphContext,
    @Arg("idempotencyKey", () => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }) idempotencyKey?: string,
  ): Promise<Event> {
    const caller = requireCaller(context);
    const { value } = await writeOnce(
      context,
      { mutation: "recordAttendance", caller, key: idempotencyKey, field: "idempotencyKey", input: { eventId, organizationId, attendees } },
      {
        check: async () => {
          const event = await context.loaders.find(Event, eventId);
          if (event === null) throw badInput("eventId", message("rule.existingEntity", { typename: "Event", id: eventId }));
          const attendee = recordId("organizationId", organizationId);
          const headCount = count("attendees", attendees);
          if (!actsFor(caller, String(event.organizerId)) && !isAgencyFor(caller, event.regionCode) && !actsFor(caller, String(attendee))) {
            throw forbiddenInput("organizationId", message("rule.recordAttendanceAccess"));
          }
          await assertEntitiesExist(context.peers, "organizations", "Organization", [{ field: "organizationId", id: String(attendee) }]);
          return { event, attendee, headCount };
        },
        // One statement, atomic on both engines (ON CONFLICT / ON DUPLICATE KEY): a repeated call replaces the count.
        write: async (manager, { event, attendee, headCount }) => {
          await manager
            .getRepository(EventParticipation)
            .upsert({ eventId: event.id, organizationId: attendee, attendees: headCount, recordedAt: new Date().toISOString() }, { conflictPaths: ["eventId", "organizationId"] });
          return event;
        },
        idOf: (event) => event.id,
        replay: (id) => context.db.getRepository(Event).findOneByOrFail({ id }),
      },
    );
    context.loaders.manyBy(EventParticipation, "eventId").clear(value.id); // an earlier field in this request may have cached the old counts
    return value;
  }
}

@Resolver(() => EventSpeaker)
export class EventSpeakerResolver {
  @FieldResolver(() => OrganizationRef)
  organization(@Root() speaker: EventSpeaker): OrganizationRef {
    return organizationRef(speaker.organizationId);
  }
}

@Resolver(() => EventParticipation)
export class EventParticipationResolver {
  @FieldResolver(() => OrganizationRef)
  organization(@Root() participation: EventParticipation): OrganizationRef {
    return organizationRef(participation.organizationId);
  }
}

/** Fields the events subgraph contributes to Organization. */
@Resolver(() => OrganizationRef)
export class OrganizationEventsResolver {
  @FieldResolver(() => EventConnection, { description: "Events this organization organized, by start time." })
  async hostedEvents(
    @Root() organization: OrganizationRef,
    @Ctx() { db }: SubgraphContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<Connection<Event>> {
    return keysetPage(whereOrganization(eventQuery(db), "e.organizerId", organization.id), BY_START, first, after);
  }

  @FieldResolver(() => EventConnection, { description: "Events this organization's people attended (a recorded participation), by start time." })
  async attendedEvents(
    @Root() organization: OrganizationRef,
    @Ctx() { db }: SubgraphContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<Connection<Event>> {
    const query = eventQuery(db).innerJoin(EventParticipation, "p", "p.eventId = e.id");
    return keysetPage(whereOrganization(query, "p.organizationId", organization.id), BY_START, first, after);
  }
}

/** Events referenced from declarations and incident reports. */
export const eventReferences = {
  Event: referenceById(Event),
};
