import { GraphQLError, GraphQLFormattedError } from "graphql";
import { asMessage, currentLanguage, localizeError, Message, message, MESSAGE_EXTENSION, render } from "./i18n";

/**
 * An error whose text is `text` in English, carrying its key and parameters in `extensions.i18n` so the
 * gateway can say it in the caller's language (platform/i18n; the gateway removes the key before answering).
 */
export function describedError(text: Message, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(render(text), { extensions: { ...extensions, [MESSAGE_EXTENSION]: text } });
}

/** The message an error carries (describedError), for an error built from another one's text. */
export function messageOf(error: GraphQLError): Message | undefined {
  return asMessage(error.extensions?.[MESSAGE_EXTENSION]);
}

/** Bad input: names the field and the rule it broke, so a volunteer on a phone knows what to fix. */
export function badInput(field: string, rule: Message): GraphQLError {
  return describedError(message("input", { field, rule }), { code: "BAD_USER_INPUT", field, rule: render(rule) });
}

/**
 * An input the caller may not use, such as a region outside its token's regions: an authorization refusal
 * (FORBIDDEN, like every other "not for you" answer) that still names the field and the rule.
 */
export function forbiddenInput(field: string, rule: Message): GraphQLError {
  return describedError(message("input", { field, rule }), { code: "FORBIDDEN", field, rule: render(rule) });
}

export function forbidden(text: Message): GraphQLError {
  return describedError(text, { code: "FORBIDDEN" });
}

export function unauthenticated(text: Message = message("access.signInFirst")): GraphQLError {
  return describedError(text, { code: "UNAUTHENTICATED" });
}

/** A list of regions as a message parameter: "19.06, 51", or "none". */
export function regionList(regions: readonly string[]): string | Message {
  return regions.length > 0 ? regions.join(", ") : message("word.none");
}

/**
 * The database could not take a write (disk full, connection lost, a COMMIT that failed). Nothing was
 * acknowledged; the same request, with the same idempotency key, is safe to send again.
 */
export function storageUnavailable(retryAfterSeconds = 1): GraphQLError {
  return describedError(message("storage.unavailable"), { code: "STORAGE_UNAVAILABLE", retryAfterSeconds });
}

/**
 * `error` as sent to the caller where Apollo's formatError does not run (an answer replaced in
 * willSendResponse): in the language of the request being handled.
 */
export function answered(error: GraphQLError): GraphQLFormattedError {
  return localizeError(error.toJSON(), currentLanguage());
}
