import { useState } from "react";
import { currentLanguage, Language, setLanguage, t } from "../i18n";

/** Bahasa Indonesia / English; re-renders the app through `onChange`. */
export function LanguageSwitch({ onChange }: { onChange: () => void }) {
  const [language, setCurrent] = useState<Language>(currentLanguage());
  return (
    <label className="language">
      <span>{t("app.language")}</span>
      <select
        value={language}
        onChange={(event) => {
          const next = event.target.value === "en" ? "en" : "id";
          setLanguage(next);
          setCurrent(next);
          onChange();
        }}
      >
        <option value="id">Indonesia</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
