/** The API's own messages in English and Bahasa Indonesia (README "Languages"). */
export { currentLanguage, DEFAULT_LANGUAGE, inLanguage, languageOf } from "./language";
export type { Language } from "./language";
export { asMessage, message, render } from "./messages";
export type { Message, MessageKey, MessageParam } from "./messages";
export { localizeError, localizeErrorBody, MESSAGE_EXTENSION, said } from "./localize";
