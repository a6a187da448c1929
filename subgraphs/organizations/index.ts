import type { SubgraphDefinition } from "../kit/subgraph";
import { BoardMember, Organization, OrganizationSearchToken, Region } from "./entities";
import { migrations } from "./migrations";
import { warmNames } from "./name-index";
import { loadRegions } from "./regions";
import { organizationReferences, OrganizationResolver, RegionResolver } from "./resolvers";

/** The organizations directory (ormas, LSM, agencies) and the national region list. */
export const organizations: SubgraphDefinition = {
  name: "organizations",
  entities: [Organization, BoardMember, Region, OrganizationSearchToken],
  migrations,
  resolvers: [OrganizationResolver, RegionResolver],
  references: organizationReferences,
  loadReferenceData: loadRegions,
  start: warmNames,
};
