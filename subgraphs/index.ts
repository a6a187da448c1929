import type { SubgraphName } from "../platform/config";
import type { SubgraphDefinition } from "./kit/subgraph";
import { declarations } from "./declarations";
import { elections } from "./elections";
import { events } from "./events";
import { identity } from "./identity";
import { incidents } from "./incidents";
import { organizations } from "./organizations";

/** The six subgraphs by name (launcher/hub.ts starts them; launcher/subgraph.ts runs one alone). */
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition> = {
  organizations,
  elections,
  events,
  declarations,
  incidents,
  identity,
};
