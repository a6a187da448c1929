import i18next from "i18next";
import { en, MessageKey } from "./en";
import { id } from "./id";
import type { Language } from "./language";

export type { MessageKey } from "./en";

/** A parameter of a message: a value, or another message rendered in the same language ("field: <rule>"). */
export type MessageParam = string | number | Message;

/**
 * A message as its source states it: a catalogue key and its parameters, so each language renders it from
 * its own text (no guessing from the English). It travels as JSON in `extensions.i18n` from the subgraphs to
 * the gateway, which renders it in the caller's language.
 */
export interface Message {
  key: MessageKey;
  params?: Record<string, MessageParam>;
}

export function message(key: MessageKey, params?: Record<string, MessageParam>): Message {
  return params ? { key, params } : { key };
}

// A server-side instance of its own (the web's catalogues are for the browser apps). Texts carry no HTML:
// nothing to escape. Keys are flat ("rule.notEmpty"), not paths.
const translator = i18next.createInstance();
void translator.init({
  resources: { en: { translation: en }, id: { translation: id } },
  lng: "en",
  fallbackLng: "en",
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  initAsync: false,
});

/** `text` in `language`, its message parameters rendered in that language too. */
export function render(text: Message, language: Language = "en"): string {
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(text.params ?? {})) params[name] = typeof value === "object" ? render(value, language) : value;
  return translator.t(text.key, { ...params, lng: language });
}

/** A message as it arrived in JSON (from a subgraph), or undefined when `value` is not one of ours. */
export function asMessage(value: unknown): Message | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { key, params } = value as { key?: unknown; params?: unknown };
  if (typeof key !== "string" || !Object.hasOwn(en, key)) return undefined;
  if (params === undefined) return { key: key as MessageKey };
  if (typeof params !== "object" || params === null) return undefined;
  const checked: Record<string, MessageParam> = {};
  for (const [name, param] of Object.entries(params)) {
    const nested = typeof param === "object" ? asMessage(param) : undefined;
    if (typeof param === "string" || typeof param === "number") checked[name] = param;
    else if (nested) checked[name] = nested;
    else return undefined;
  }
  return { key: key as MessageKey, params: checked };
}
