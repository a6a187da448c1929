import { GraphQLError } from "graphql";

/** Bad input: names the field and the rule it broke, so a volunteer on a phone knows what to fix. */
export function badInput(field: string, rule: string): GraphQLError {
  return new GraphQLError(`${field}: ${rule}`, { extensions: { code: "BAD_USER_INPUT", field, rule } });
}

/**
 * An input the caller may not use, such as a region outside its token's regions: an authorization refusal
 * (FORBIDDEN, like every other "not for you" answer) that still names the field and the rule.
 */
export function forbiddenInput(field: string, rule: string): GraphQLError {
  return new GraphQLError(`${field}: ${rule}`, { extensions: { code: "FORBIDDEN", field, rule } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN" } });
}

export function unauthenticated(message = "sign in first: this needs a bearer token"): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED" } });
}

/**
 * The database could not take a write (disk full, connection lost, a COMMIT that failed). Nothing was
 * acknowledged; the same request, with the same idempotency key, is safe to send again.
 */
export function storageUnavailable(retryAfterSeconds = 1): GraphQLError {
  return new GraphQLError("the hub could not store this write right now; nothing was acknowledged: send it again, with the same idempotencyKey, in a moment", {
    extensions: { code: "STORAGE_UNAVAILABLE", retryAfterSeconds },
  });
}
