import { GraphQLError } from "graphql";
import { Arg, Ctx, Field, Int, Mutation, ObjectType, Resolver } from "type-graphql";
import { signToken } from "../../caller/tokens";
import { audit } from "./audit";
import { sameDigest, sha256 } from "./credentials";
import { AuditKind, Integration, regionsOf } from "./entities";
import { expiryOf, hubSigningKey } from "./sessions";
import type { IdentityContext } from "./state";
import { describedError } from "../../platform/errors";
import { Message, message, render } from "../../platform/i18n";

/*
 * The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) behind the gateway's POST /oauth/token: a partner app's
 * client id and secret for an INTEGRATOR access token with its scopes (or the part it asks for), regions and
 * organization. Each refusal carries its RFC 6749 §5.2 error code in `extensions.oauth`, which the gateway answers
 * with; every issue and every refusal is audited, and the audit commits before the answer.
 */

/** What the token endpoint answers (RFC 6749 §5.1), as GraphQL. */
@ObjectType({ description: "An INTEGRATOR access token for a partner app: send it as `Authorization: Bearer ...`" })
export class ClientToken {
  @Field({ description: "JWT with the claims sub (integration:<client id>), role INTEGRATOR, org, regions, scope" }) accessToken: string;
  @Field({ description: 'always "Bearer"' }) tokenType: string;
  @Field(() => Int, { description: "seconds the token lives (KAWAL_ACCESS_TOKEN_SECONDS, 900 by default)" }) expiresIn: number;
  @Field({ description: "ISO date-time (UTC) the token expires at" }) accessTokenExpiresAt: string;
  @Field({ description: "the scopes granted, space-separated" }) scope: string;
}

type OAuthError = "invalid_client" | "unauthorized_client" | "invalid_scope";

const CODES: Record<OAuthError, string> = { invalid_client: "UNAUTHENTICATED", unauthorized_client: "FORBIDDEN", invalid_scope: "FORBIDDEN" };

function refused(oauth: OAuthError, rule: Message, field: string): GraphQLError {
  return describedError(message("input", { field, rule }), { code: CODES[oauth], oauth, field, rule: render(rule) });
}

/** The integration's current secret, or its previous one within the grace period after a rotation. */
function secretMatches(integration: Integration, secret: string): boolean {
  const digest = sha256(secret);
  if (sameDigest(digest, integration.secretHash)) return true;
  const graceEnds = integration.previousSecretExpiresAt === null ? 0 : Date.parse(integration.previousSecretExpiresAt);
  return integration.previousSecretHash !== null && graceEnds > Date.now() && sameDigest(digest, integration.previousSecretHash);
}

@Resolver()
export class ClientCredentialsResolver {
  @Mutation(() => ClientToken, {
    description: "OAuth 2.0 client credentials (also at POST /oauth/token): a partner app's client id and secret for an INTEGRATOR token; scope defaults to all it was granted",
  })
  async clientCredentialsToken(
    @Arg("clientId") clientId: string,
    @Arg("clientSecret") clientSecret: string,
    @Arg("scope", () => String, { nullable: true, description: "space-separated, each granted to the app" }) scope: string | null,
    @Ctx() context: IdentityContext,
  ): Promise<ClientToken> {
    const key = hubSigningKey(context.config);
    // Longer than any client id issued: unknown without a query.
    const integration = clientId.length <= 40 ? await context.db.getRepository(Integration).findOneBy({ clientId }) : null;
    /** Audits a refusal (committed before the answer) and hands the error back to throw. */
    const refusal = async (error: GraphQLError, detail: string): Promise<GraphQLError> => {
      // An unknown client id is audited without the text sent (it may be a secret pasted into the wrong field).
      await context.storage.write((manager) => audit(manager, { kind: AuditKind.INTEGRATION_TOKEN_REFUSED, integration, clientAddress: context.clientAddress, detail }));
      return error;
    };
    if (!integration || !secretMatches(integration, clientSecret)) {
      throw await refusal(refused("invalid_client", message("rule.clientSecret"), "clientSecret"), integration ? `client ${integration.clientId}: wrong or expired secret` : "unknown client id");
    }
    const app = integration;
    if (app.revokedAt !== null) {
      throw await refusal(refused("unauthorized_client", message("rule.clientRevoked", { at: String(app.revokedAt) }), "clientId"), `client ${app.clientId}: revoked`);
    }
    const granted = regionsOf(app.scopes);
    const asked = scope === null ? [] : scope.split(" ").filter(Boolean);
    const missing = asked.find((name) => !granted.includes(name));
    if (missing !== undefined) {
      throw await refusal(refused("invalid_scope", message("rule.scopeNotGranted", { scope: missing.slice(0, 40), granted: granted.join(" ") }), "scope"), `client ${app.clientId}: scope not granted`);
    }
    const scopes = asked.length > 0 ? [...new Set(asked)] : granted;
    const seconds = context.config.accessTokenSeconds;
    const accessToken = await signToken(key, { sub: `integration:${app.clientId}`, role: "INTEGRATOR", org: String(app.organizationId), regions: regionsOf(app.regions), scopes }, seconds);
    await context.storage.write((manager) => audit(manager, { kind: AuditKind.INTEGRATION_TOKEN_ISSUED, integration: app, clientAddress: context.clientAddress, detail: `client ${app.clientId}: scope ${scopes.join(" ")}` }));
    return { accessToken, tokenType: "Bearer", expiresIn: seconds, accessTokenExpiresAt: expiryOf(seconds), scope: scopes.join(" ") };
  }
}
