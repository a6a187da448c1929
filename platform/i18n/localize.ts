import type { GraphQLFormattedError } from "graphql";
import { asMessage, Message, render } from "./messages";
import { currentLanguage, Language } from "./language";

/** The extension a message's key and parameters travel in, from where it is raised to the gateway. */
export const MESSAGE_EXTENSION = "i18n";

/** `carrier` without its key, and the text the key says in `language` (undefined when it carries none of ours). */
function takeMessage(carrier: Record<string, unknown>, language: Language): { rest: Record<string, unknown>; text?: string } {
  const { [MESSAGE_EXTENSION]: carried, ...rest } = carrier;
  const described = asMessage(carried);
  return { rest, text: described && render(described, language) };
}

/**
 * `error` as the caller reads it: its message rendered in `language` from the key it carries, and the key
 * removed (it is the hub's internal wiring). `code`, `field`, `rule` and the rest are left as they were, so
 * programs branch on the same values in every language. An error without a key keeps its text.
 */
export function localizeError(error: GraphQLFormattedError, language: Language): GraphQLFormattedError {
  if (!error.extensions || !(MESSAGE_EXTENSION in error.extensions)) return error;
  const { rest, text } = takeMessage(error.extensions, language);
  return { ...error, message: text ?? error.message, extensions: rest };
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
  const { rest, text: localized } = takeMessage(error as Record<string, unknown>, language);
  return JSON.stringify({ ...(body as object), error: { ...rest, ...(localized === undefined ? {} : { message: localized }) } });
}
