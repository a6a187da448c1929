import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import { badInput, forbiddenInput } from "../../platform/errors";
import { requireAdministrator } from "./administration";
import { audit } from "./audit";
import { Account, AuditKind, Integration } from "./entities";
import { administers } from "./integrations";
import type { IdentityContext } from "./state";
import { parseManifest, replaceTrustedDocuments, TrustedDocument } from "./trusted-documents";
import { message } from "../../platform/i18n";

/*
 * Administrators load a partner app's trusted documents and switch them on or off, by the app's client id, with
 * the same rights as managing the app (integrations.ts). The gateway picks up a change at once when it carried
 * the mutation, within its refresh interval otherwise (gateway/trusted-documents.ts).
 */

/** The app with client id `clientId`, when `admin` may manage it; FORBIDDEN otherwise, as for an unknown one. */
async function managedByClientId(context: IdentityContext, admin: Account, clientId: string): Promise<Integration> {
  const integration = clientId.length <= 40 ? await context.db.getRepository(Integration).findOneBy({ clientId }) : null;
  if (!integration || !administers(admin, integration)) throw forbiddenInput("clientId", message("rule.clientIdYouAdminister"));
  return integration;
}

@Resolver(() => Integration)
export class TrustedDocumentsResolver {
  @FieldResolver(() => Int, { description: "operations on the app's trusted-documents list (loadTrustedDocuments)" })
  async trustedDocumentCount(@Root() integration: Integration, @Ctx() context: IdentityContext): Promise<number> {
    return context.db.getRepository(TrustedDocument).countBy({ integrationId: integration.id });
  }

  @Authorized()
  @Mutation(() => Integration, {
    description:
      "Administrators: replaces a partner app's trusted documents with a manifest's operations: GraphQL Code Generator's persisted-documents.json (hash to document) or an Apollo persisted-query manifest",
  })
  async loadTrustedDocuments(
    @Arg("clientId", { description: "the app's OAuth 2.0 client_id" }) clientId: string,
    @Arg("manifest", { description: "the manifest file's JSON text; at most 2,000 operations, each id a hash of its document" }) manifest: string,
    @Ctx() context: IdentityContext,
  ): Promise<Integration> {
    const admin = await requireAdministrator(context, "loadTrustedDocuments");
    const integration = await managedByClientId(context, admin, clientId);
    const entries = parseManifest(manifest);
    await context.storage.write((manager) => replaceTrustedDocuments(manager, integration, entries, admin, context.clientAddress));
    return integration;
  }

  @Authorized()
  @Mutation(() => Integration, {
    description: "Administrators: when required, the gateway runs only the app's trusted documents, named by id (extensions.persistedQuery.sha256Hash or documentId)",
  })
  async setTrustedDocumentsRequired(
    @Arg("clientId", { description: "the app's OAuth 2.0 client_id" }) clientId: string,
    @Arg("required") required: boolean,
    @Ctx() context: IdentityContext,
  ): Promise<Integration> {
    const admin = await requireAdministrator(context, "setTrustedDocumentsRequired");
    const integration = await managedByClientId(context, admin, clientId);
    if (required && (await context.db.getRepository(TrustedDocument).countBy({ integrationId: integration.id })) === 0) {
      throw badInput("required", message("rule.trustedListNeeded"));
    }
    if (integration.trustedDocumentsRequired === required) return integration;
    await context.storage.write(async (manager) => {
      await manager.update(Integration, { id: integration.id }, { trustedDocumentsRequired: required });
      await audit(manager, { kind: AuditKind.TRUSTED_DOCUMENTS_SWITCHED, actor: admin, integration, clientAddress: context.clientAddress, detail: `client ${integration.clientId}: ${required ? "only trusted documents" : "any operation"}` });
    });
    return { ...integration, trustedDocumentsRequired: required };
  }
}
