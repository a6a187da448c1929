import type { SubgraphDefinition } from "../kit/subgraph";
import { Event, EventParticipation, EventSpeaker } from "./entities";
import { migrations } from "./migrations";
import { EventParticipationResolver, eventReferences, EventResolver, EventSpeakerResolver, OrganizationEventsResolver } from "./resolvers";

/** Events (socializations, coaching, declarations, debates) with their speakers and attendance. */
export const events: SubgraphDefinition = {
  name: "events",
  entities: [Event, EventSpeaker, EventParticipation],
  migrations,
  resolvers: [EventResolver, EventSpeakerResolver, EventParticipationResolver, OrganizationEventsResolver],
  references: eventReferences,
};
