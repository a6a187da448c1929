import type { SubgraphDefinition } from "../kit/subgraph";
import { Declaration, DeclarationSignature } from "./entities";
import { migrations } from "./migrations";
import {
  declarationReferences,
  DeclarationResolver,
  DeclarationSignatureResolver,
  EventDeclarationsResolver,
  OrganizationDeclarationsResolver,
} from "./resolvers";

/** Peace declarations (deklarasi pilkada damai) and the organizations that signed them. */
export const declarations: SubgraphDefinition = {
  name: "declarations",
  entities: [Declaration, DeclarationSignature],
  migrations,
  resolvers: [DeclarationResolver, DeclarationSignatureResolver, EventDeclarationsResolver, OrganizationDeclarationsResolver],
  references: declarationReferences,
};
