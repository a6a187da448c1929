import { AsyncLocalStorage } from "node:async_hooks";

/** The languages the API answers in: English (the source text and the default) and Bahasa Indonesia. */
export type Language = "en" | "id";

export const DEFAULT_LANGUAGE: Language = "en";

/** RFC 9110's qvalue: 0 to 1 with at most three decimals. */
const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/** Primary subtags we serve; "in" is the withdrawn ISO 639 code for Indonesian that old Android and Java still send. */
const SERVED: Record<string, Language> = { en: "en", id: "id", in: "id" };

/**
 * The language of an `Accept-Language` value (RFC 9110 §12.5.4): the served language of highest weight,
 * ties kept in the order sent; `q=0` excludes; a malformed entry is skipped; none served gives English.
 * "fr, id-ID;q=0.8" is Indonesian, "id;q=0, en" English.
 */
export function languageOf(header: string | readonly string[] | null | undefined): Language {
  const text = Array.isArray(header) ? header.join(",") : (header as string | null | undefined);
  if (!text) return DEFAULT_LANGUAGE;
  const ranges = text.split(",").flatMap((part, order) => {
    const [tag, ...parameters] = part.trim().split(";").map((piece) => piece.trim());
    if (!/^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/.test(tag)) return [];
    const q = parameters.find((parameter) => /^q\s*=/i.test(parameter))?.replace(/^q\s*=\s*/i, "") ?? "1";
    if (!QVALUE.test(q) || Number(q) === 0) return [];
    const weight = Number(q);
    return [{ primary: tag.split("-")[0].toLowerCase(), weight, order }];
  });
  ranges.sort((a, b) => b.weight - a.weight || a.order - b.order);
  for (const range of ranges) {
    if (range.primary === "*") return DEFAULT_LANGUAGE;
    const served = SERVED[range.primary];
    if (served) return served;
  }
  return DEFAULT_LANGUAGE;
}

const requestLanguage = new AsyncLocalStorage<Language>();

/** Runs `work` as the handling of a request in `language` (Apollo's formatError reads it, having no request). */
export function inLanguage<T>(language: Language, work: () => T): T {
  return requestLanguage.run(language, work);
}

/** The language of the request being handled, English outside one. */
export function currentLanguage(): Language {
  return requestLanguage.getStore() ?? DEFAULT_LANGUAGE;
}
