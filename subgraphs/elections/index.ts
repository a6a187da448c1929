import type { SubgraphDefinition } from "../kit/subgraph";
import { loadElections } from "./demo";
import { CandidatePair, Election } from "./entities";
import { migrations } from "./migrations";
import { CandidatePairResolver, ElectionResolver, electionReferences } from "./resolvers";

/** Regional elections (Pilkada) and their candidate pairs: KPU master data, read-only through the API. */
export const elections: SubgraphDefinition = {
  name: "elections",
  entities: [Election, CandidatePair],
  migrations,
  resolvers: [ElectionResolver, CandidatePairResolver],
  references: electionReferences,
  loadReferenceData: loadElections,
};
