import type { SubgraphName } from "./kit/config";
import type { SubgraphDefinition } from "./kit/subgraph";
import { declarations } from "./declarations";
import { elections } from "./elections";
import { events } from "./events";
import { incidents } from "./incidents";
import { organizations } from "./organizations";

/** The five subgraphs, in start order: each one's references point only at subgraphs started before it. */
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition> = {
  organizations,
  elections,
  events,
  declarations,
  incidents,
};
