import { t } from "../i18n";
import type { Zone } from "../shared/time-zone";

/** A filter's first and last day, picked as calendar days of the region's zone, which the labels name. */
export function DayInputs({ zone, from, to, onChange }: { zone: Zone; from: string; to: string; onChange: (key: "from" | "to", day: string) => void }) {
  return (
    <>
      <label>
        {t("dates.from", { zone: zone.name })}
        <input name="from" type="date" value={from} onChange={(event) => onChange("from", event.target.value)} />
      </label>
      <label>
        {t("dates.to", { zone: zone.name })}
        <input name="to" type="date" value={to} onChange={(event) => onChange("to", event.target.value)} />
      </label>
    </>
  );
}
