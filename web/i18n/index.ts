import i18next from "i18next";
import { en } from "./en";
import { id } from "./id";

export type Language = "id" | "en";

const STORAGE_KEY = "kawal.language";

/** The language chosen on this device before, else Bahasa Indonesia. */
function savedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "id";
  } catch {
    return "id";
  }
}

export const i18n = i18next.createInstance();
void i18n.init({
  lng: savedLanguage(),
  fallbackLng: "id",
  resources: { id: { translation: id }, en: { translation: en } },
  interpolation: { escapeValue: false }, // React escapes
  initAsync: false, // the catalogues are bundled: ready before the first render
});

// Screen readers pronounce the page in the language it is shown in.
document.documentElement.lang = i18n.language;

export function t(key: string, options?: Record<string, string | number>): string {
  return i18n.t(key, options ?? {});
}

export function setLanguage(language: Language): void {
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode: the choice lasts this visit.
  }
}

export function currentLanguage(): Language {
  return i18n.language === "en" ? "en" : "id";
}

/** The message for an API field error, from its `rule` (the API's own words, in English). */
export function ruleMessage(rule: string): string {
  const tooLong = /^must be at most (\d+) characters/.exec(rule);
  if (tooLong) return t("rule.tooLong", { max: tooLong[1] });
  if (/^(type not allowed|too large|empty|photo no longer on this phone)$/.test(rule)) return t("rule.photo", { rule });
  const known: Array<[RegExp, string]> = [
    [/^must not be before input\.occurredAt/, "rule.afterOccurred"],
    [/^must not be empty/, "rule.required"],
    [/^must be an ISO 8601 date-time/, "rule.dateTime"],
    [/^must not be in the future/, "rule.future"],
    [/^must be an http or https URL/, "rule.url"],
    [/^must be empty when channel is PUBLIC_SPACE/, "rule.platformPublic"],
    [/^must (not be before|be within the last)/, "rule.calendar"],
    [/^must lie inside your regions/, "rule.outsideRegions"],
    [/^must be an existing region code/, "rule.region"],
    [/^must be (the id of an existing|an id returned by this hub)/, "rule.unknownId"],
  ];
  const match = known.find(([pattern]) => pattern.test(rule));
  return match ? t(match[1]) : t("rule.other", { rule });
}
