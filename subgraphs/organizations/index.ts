import type { SubgraphDefinition } from "../kit/subgraph";
import { BoardMember, Organization, OrganizationSearchToken, Region } from "./entities";
import { migrations } from "./migrations";
import { loadRegions } from "./regions";
import { organizationReferences, OrganizationResolver, RegionResolver } from "./resolvers";
import { OrganizationsState, organizationsState } from "./state";

/** The organizations directory (ormas, LSM, agencies) and the national region list. */
export const organizations: SubgraphDefinition<OrganizationsState> = {
  name: "organizations",
  entities: [Organization, BoardMember, Region, OrganizationSearchToken],
  migrations,
  resolvers: [OrganizationResolver, RegionResolver],
  references: organizationReferences,
  loadReferenceData: loadRegions,
  state: organizationsState,
};
