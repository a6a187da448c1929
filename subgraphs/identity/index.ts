import type { SubgraphDefinition } from "../kit/subgraph";
import { AdministrationResolver } from "./administration";
import { ClientCredentialsResolver } from "./client-credentials";
import { recordReporterDeliveries } from "./deliveries";
import { Account, AuditEvent, Integration, RefreshToken, SignInFailureCount } from "./entities";
import { IntegrationListResolver, IntegrationResolver } from "./integrations";
import { migrations } from "./migrations";
import { AccountListResolver, AccountResolver, AuditEventResolver } from "./resolvers";
import { SignInResolver } from "./sign-in";
import { TrustedDocument, trustedDocumentsOf } from "./trusted-documents";
import { TrustedDocumentsResolver } from "./trusted-documents-resolver";
import { IdentityState, identityState } from "./state";
import { webhookEntities, webhookMigrations, webhookResolvers } from "./webhook-parts";

/** Who is who: people's accounts, their sign-in and sessions, their administration, partner apps, and the audit trail. */
export const identity: SubgraphDefinition<IdentityState> = {
  name: "identity",
  entities: [Account, RefreshToken, AuditEvent, Integration, SignInFailureCount, TrustedDocument, ...webhookEntities],
  migrations: [...migrations, ...webhookMigrations],
  resolvers: [
    SignInResolver,
    AdministrationResolver,
    AccountResolver,
    AccountListResolver,
    AuditEventResolver,
    IntegrationResolver,
    IntegrationListResolver,
    ClientCredentialsResolver,
    TrustedDocumentsResolver,
    ...webhookResolvers,
  ],
  state: identityState,
  internalRoutes: { "reporter-deliveries": recordReporterDeliveries, "trusted-documents": trustedDocumentsOf },
};
