import type { SubgraphDefinition } from "../kit/subgraph";
import { AdministrationResolver } from "./administration";
import { Account, AuditEvent, RefreshToken } from "./entities";
import { migrations } from "./migrations";
import { AccountListResolver, AccountResolver, AuditEventResolver } from "./resolvers";
import { SignInResolver } from "./sign-in";
import { IdentityState, identityState } from "./state";
import { webhookEntities, webhookMigrations, webhookResolvers } from "./webhook-parts";

/** Who is who: people's accounts, their sign-in and sessions, their administration, and the audit trail. */
export const identity: SubgraphDefinition<IdentityState> = {
  name: "identity",
  entities: [Account, RefreshToken, AuditEvent, ...webhookEntities],
  migrations: [...migrations, ...webhookMigrations],
  resolvers: [SignInResolver, AdministrationResolver, AccountResolver, AccountListResolver, AuditEventResolver, ...webhookResolvers],
  state: identityState,
};
