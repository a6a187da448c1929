import type { SubgraphDefinition } from "../kit/subgraph";
import { CandidatePair, Election } from "./entities";
import { migrations } from "./migrations";
import { ElectionAdminResolver } from "./mutations";
import { CandidatePairResolver, ElectionResolver, electionReferences } from "./resolvers";

/** Regional elections (Pilkada) and their candidate pairs: KPU master data, corrected by KPU or Kesbangpol only. */
export const elections: SubgraphDefinition = {
  name: "elections",
  entities: [Election, CandidatePair],
  migrations,
  resolvers: [ElectionResolver, CandidatePairResolver, ElectionAdminResolver],
  references: electionReferences,
};
