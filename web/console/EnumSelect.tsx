import { t } from "../i18n";

/** Choices of one API enum, "All" first; each labelled from the catalogue section `section` (default `name`). */
export function EnumSelect({ name, label, values, value, onChange, section = name }: { name: string; label: string; values: string[]; value: string; onChange: (value: string) => void; section?: string }) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{t("list.all")}</option>
        {values.map((option) => (
          <option key={option} value={option}>
            {t(`${section}.${option}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
