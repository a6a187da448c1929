import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { regionWithin } from "../../caller/access";
import { badInput, forbiddenInput } from "../../platform/errors";
import { connectionType, Connection, keysetPage } from "../kit/connection";
import { assertEntitiesExist } from "../kit/lookups";
import { OrganizationRef } from "../kit/references";
import { recordId } from "../kit/validate";
import { checkRegions, requireAdministrator } from "./administration";
import { audit } from "./audit";
import { newClientId, newClientSecret, sha256 } from "./credentials";
import { Account, AccountRole, AuditKind, Integration, INTEGRATOR_SCOPES, regionsOf, storedRegions } from "./entities";
import { administered } from "./resolvers";
import type { IdentityContext } from "./state";
import { disableWebhooksOf } from "./webhook-owners";
import { message } from "../../platform/i18n";

/*
 * Partner apps: an administrator registers an integration for an organization, with scopes and regions no wider
 * than its own, and hands its client id and secret to the partner once. The secret can be rotated (the previous
 * one keeps working for a grace period, so the app can be redeployed without a gap) and the integration revoked.
 * Refusals are FORBIDDEN or BAD_USER_INPUT naming the field and the rule; nothing is written then.
 */

/** The scopes a role holds itself, and so may grant: agencies all three; an ormas reads but receives no live alerts. */
const GRANTABLE: Record<AccountRole, readonly string[]> = {
  AGENCY: INTEGRATOR_SCOPES,
  ORMAS: ["read:directory", "read:incidents"],
};

/** The longest grace period a rotation may give the previous secret: 30 days. */
const MAX_GRACE_SECONDS = 2_592_000;

@InputType()
class CreateIntegrationInput {
  @Field(() => ID, { description: "the Organization the app acts for (its tokens' org); an ORMAS administrator's own only" }) organizationId: string;
  @Field({ description: "what the app is, 1 to 100 characters, e.g. \"Bawaslu dashboard\"" }) name: string;
  @Field(() => [String], { description: "some of read:directory, read:incidents, subscribe:alerts, each one your own role holds (ORMAS: not subscribe:alerts)" })
  scopes: string[];
  @Field(() => [String], { description: 'region-code prefixes such as "19.06", each within your regions' }) regions: string[];
}

/** An integration with its client secret, shown this once. */
@ObjectType()
class IntegrationWithSecret {
  @Field(() => Integration) integration: Integration;
  @Field({ description: "the OAuth 2.0 client_secret: shown once, stored only as a hash; hand it to the partner over a safe channel" })
  clientSecret: string;
}

/** Known scopes, each one the administrator's role holds; at least one. */
function checkScopes(field: string, scopes: string[], admin: Account): string[] {
  if (scopes.length === 0) throw badInput(field, message("rule.scopesAtLeastOne", { scopes: INTEGRATOR_SCOPES.join(", ") }));
  return [...new Set(scopes.map((scope, index) => {
    if (!(INTEGRATOR_SCOPES as readonly string[]).includes(scope)) throw badInput(`${field}[${index}]`, message("rule.oneOf", { values: INTEGRATOR_SCOPES.join(", ") }));
    const own = GRANTABLE[admin.role];
    if (!own.includes(scope)) throw forbiddenInput(`${field}[${index}]`, message("rule.scopeYourRoleHolds", { role: admin.role, scopes: own.join(", ") }));
    return scope;
  }))];
}

/** Whether the administrator may manage the integration: organization (ORMAS), regions and scopes within its own. */
export function administers(admin: Account, integration: Integration): boolean {
  const own = regionsOf(admin.regions);
  return (
    regionsOf(integration.regions).every((code) => regionWithin(code, own)) &&
    regionsOf(integration.scopes).every((scope) => GRANTABLE[admin.role].includes(scope)) &&
    (admin.role === AccountRole.AGENCY || integration.organizationId === admin.organizationId)
  );
}

/** The integration `id`, when the administrator may manage it. */
async function managedIntegration(context: IdentityContext, admin: Account, rawId: string): Promise<Integration> {
  const id = recordId("id", rawId);
  const integration = await context.db.getRepository(Integration).findOneBy({ id });
  if (!integration || !administers(admin, integration)) throw forbiddenInput("id", message("rule.integrationYouAdminister"));
  return integration;
}

/** How the audit trail names an integration: never its secret. */
function described(integration: Integration): string {
  return `client ${integration.clientId} "${integration.name}": scopes ${regionsOf(integration.scopes).join(" ")}, regions ${regionsOf(integration.regions).join(" ")}`;
}

@Resolver(() => Integration)
export class IntegrationResolver {
  @FieldResolver(() => OrganizationRef, { description: "the organization the app acts for" })
  organization(@Root() integration: Integration): OrganizationRef {
    return { id: String(integration.organizationId) };
  }

  @FieldResolver(() => [String], { description: "the scopes its tokens may carry" })
  scopes(@Root() integration: Integration): string[] {
    return regionsOf(integration.scopes);
  }

  @FieldResolver(() => [String], { description: "region-code prefixes its tokens carry" })
  regions(@Root() integration: Integration): string[] {
    return regionsOf(integration.regions);
  }

  @Authorized()
  @Mutation(() => IntegrationWithSecret, { description: "Administrators: registers a partner app for an organization; its client secret is shown once" })
  async createIntegration(@Arg("input", () => CreateIntegrationInput) input: CreateIntegrationInput, @Ctx() context: IdentityContext): Promise<IntegrationWithSecret> {
    const admin = await requireAdministrator(context, "createIntegration");
    const organizationId = recordId("input.organizationId", input.organizationId);
    if (admin.role === AccountRole.ORMAS && organizationId !== admin.organizationId) {
      throw forbiddenInput("input.organizationId", message("rule.ownOrganization", { organization: admin.organizationId, why: message("why.ormasRegistersOwnApps") }));
    }
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) throw badInput("input.name", message("rule.lengthRange", { min: 1, max: 100 }));
    const scopes = checkScopes("input.scopes", input.scopes, admin);
    const regions = checkRegions("input.regions", input.regions, admin);
    await assertEntitiesExist(context.peers, "organizations", "Organization", [{ field: "input.organizationId", id: String(organizationId) }]);
    const clientSecret = newClientSecret();
    const integration = await context.storage.write(async (manager) => {
      const created = manager.create(Integration, {
        clientId: newClientId(),
        name,
        organizationId,
        scopes: storedRegions(scopes),
        regions: storedRegions(regions),
        secretHash: sha256(clientSecret),
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        createdAt: new Date().toISOString(),
        createdBy: admin.id,
        revokedAt: null,
        trustedDocumentsRequired: false,
      });
      await manager.save(created);
      await audit(manager, { kind: AuditKind.INTEGRATION_CREATED, actor: admin, integration: created, clientAddress: context.clientAddress, detail: described(created) });
      return created;
    });
    return { integration, clientSecret };
  }

  @Authorized()
  @Mutation(() => IntegrationWithSecret, {
    description: "Administrators: a new client secret, shown once; the previous one keeps working for graceSeconds (default KAWAL_CLIENT_SECRET_GRACE_SECONDS, one day)",
  })
  async rotateIntegrationSecret(
    @Arg("id", () => ID) id: string,
    @Arg("graceSeconds", () => Int, { nullable: true, description: "how long the previous secret still works, 0 to 2592000 (30 days)" }) graceSeconds: number | null,
    @Ctx() context: IdentityContext,
  ): Promise<IntegrationWithSecret> {
    const admin = await requireAdministrator(context, "rotateIntegrationSecret");
    const integration = await managedIntegration(context, admin, id);
    const grace = graceSeconds ?? context.config.clientSecretGraceSeconds;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) throw badInput("graceSeconds", message("rule.graceSeconds", { max: MAX_GRACE_SECONDS }));
    if (integration.revokedAt !== null) throw badInput("id", message("rule.integrationRevoked"));
    const clientSecret = newClientSecret();
    const changes = {
      secretHash: sha256(clientSecret),
      previousSecretHash: grace > 0 ? integration.secretHash : null,
      previousSecretExpiresAt: grace > 0 ? new Date(Date.now() + grace * 1000).toISOString() : null,
    };
    await context.storage.write(async (manager) => {
      await manager.update(Integration, { id: integration.id }, changes);
      await audit(manager, { kind: AuditKind.INTEGRATION_SECRET_ROTATED, actor: admin, integration, clientAddress: context.clientAddress, detail: `client ${integration.clientId}: the previous secret works ${grace} s more` });
    });
    return { integration: { ...integration, ...changes }, clientSecret };
  }

  @Authorized()
  @Mutation(() => Integration, { description: "Administrators: the partner app gets no more tokens (those it holds work until they expire)" })
  async revokeIntegration(@Arg("id", () => ID) id: string, @Ctx() context: IdentityContext): Promise<Integration> {
    const admin = await requireAdministrator(context, "revokeIntegration");
    const integration = await managedIntegration(context, admin, id);
    if (integration.revokedAt !== null) return integration;
    const revokedAt = new Date().toISOString();
    await context.storage.write(async (manager) => {
      await manager.update(Integration, { id: integration.id }, { revokedAt, previousSecretHash: null, previousSecretExpiresAt: null });
      await disableWebhooksOf(manager, `integration:${integration.clientId}`, "the partner app was revoked");
      await audit(manager, { kind: AuditKind.INTEGRATION_REVOKED, actor: admin, integration, clientAddress: context.clientAddress, detail: `client ${integration.clientId}` });
    });
    return { ...integration, revokedAt, previousSecretHash: null, previousSecretExpiresAt: null };
  }
}

const IntegrationConnection = connectionType(Integration, "Integration");

@Resolver(() => Integration)
export class IntegrationListResolver {
  @Authorized()
  @Query(() => IntegrationConnection, { description: "Administrators: the partner apps in their regions (ORMAS: of their organization), newest first, revoked ones included" })
  async integrations(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() context: IdentityContext,
  ): Promise<Connection<Integration>> {
    const admin = await requireAdministrator(context, "integrations");
    const query = administered(context.db.getRepository(Integration).createQueryBuilder("i"), admin);
    return keysetPage(query, { property: "createdAt", direction: "DESC" }, first, after);
  }
}
