/**
 * Who a subscription client is and what it may subscribe to, for every subscription transport: the
 * credential is verified by the same TokenVerifier as the HTTP gateway's bearer header, and each
 * subscription must pass the gateway's rule (injected, so a transport never knows the domain's rules; see
 * ../alert-access.ts) and act for a verified caller, since the caller is the engine's scope.
 */
import type { GraphQLError } from "graphql";
import type { Caller, MaybeCaller } from "../../../caller/claims";
import { unauthenticated } from "../../../platform/errors";
import { TokenError, TokenVerifier } from "../../auth";
import type { PreparedOperation } from "../engine";
import { Message, message } from "../../../platform/i18n";

/** Refuses an operation with a GraphQL error, or lets it through with null. */
export type SubscriptionAuthorizer = (caller: MaybeCaller, operation: PreparedOperation) => GraphQLError | null;

/** A verified caller (null: no credential, the public), or why the credential was refused. */
export type Authentication = { ok: true; caller: MaybeCaller } | { ok: false; reason: Message };

/** A subscription allowed for its caller, or the error that refuses it. */
export type Authorization = { ok: true; caller: Caller } | { ok: false; error: GraphQLError };

/**
 * The caller of a credential as the client sent it, an `Authorization` value ("Bearer <token>"). `name`
 * says where it came from, for the refusal of one that is not a string. A token that does not verify is
 * refused with the verifier's reason; any other failure (an unreachable JWKS) is thrown.
 */
export async function authenticate(verifier: TokenVerifier, credential: unknown, name = '"authorization"'): Promise<Authentication> {
  if (credential !== undefined && credential !== null && typeof credential !== "string") {
    return { ok: false, reason: message("token.credentialFormat", { name }) };
  }
  try {
    return { ok: true, caller: await verifier.verifyHeader(credential) };
  } catch (error) {
    if (error instanceof TokenError) return { ok: false, reason: error.text };
    throw error;
  }
}

/**
 * Applies `rule` to a subscription. A rule that lets the public through still does not make a scope: the
 * subscription is refused as unauthenticated rather than handed to the engine without a caller.
 */
export function authorizeSubscription(rule: SubscriptionAuthorizer, caller: MaybeCaller, operation: PreparedOperation): Authorization {
  const refusal = rule(caller, operation);
  if (refusal) return { ok: false, error: refusal };
  if (!caller) return { ok: false, error: unauthenticated(message("access.needsToken", { what: `Subscription.${operation.rootFields[0] ?? "?"}` })) };
  return { ok: true, caller };
}
