import type { GraphQLFormattedError } from "graphql";
import { asMessage, Message, render } from "./messages";
import { currentLanguage, Language } from "./language";

/** The extension a message's key and parameters travel in, from where it is raised to the gateway. */
export const MESSAGE_EXTENSION = "i18n";

/**
 * `error` as the caller reads it: its message rendered in `language` from the key it carries, and the key
 * removed (it is the hub's internal wiring). `code`, `field`, `rule` and the rest are left as they were, so
 * programs branch on the same values in every language. An error without a key keeps its text.
 */
export function localizeError(error: GraphQLFormattedError, language: Language): GraphQLFormattedError {
  if (!error.extensions || !(MESSAGE_EXTENSION in error.extensions)) return error;
  const { [MESSAGE_EXTENSION]: carried, ...extensions } = error.extensions;
  const described = asMessage(carried);
  return { ...error, message: described ? render(described, language) : error.message, extensions };
}

/** `text` in the language of the request being handled (inLanguage), for answers that are not GraphQL errors. */
export function said(text: Message): string {
  return render(text, currentLanguage());
}

/**
 * A JSON error answer of a plain route, `{"error": {"message", "i18n", ...}}`, as the caller reads it: the
 * message in `language`, the key removed. Any other text is returned as it is.
 */
export function localizeErrorBody(text: string, language: Language): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== "object" || error === null || !(MESSAGE_EXTENSION in error)) return text;
  const { [MESSAGE_EXTENSION]: carried, ...rest } = error as Record<string, unknown>;
  const described = asMessage(carried);
  return JSON.stringify({ ...(body as object), error: { ...rest, ...(described ? { message: render(described, language) } : {}) } });
}
