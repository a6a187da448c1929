import { useEffect, useState } from "react";
import { currentLanguage, t } from "../i18n";
import { formatInZone, zoneOf } from "../shared/time-zone";

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

/** "2 hari 03:04:05": days, then hours:minutes:seconds of a duration. */
export function duration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / SECOND);
  const days = Math.floor((total * SECOND) / DAY);
  const clock = [Math.floor(total / 3600) % 24, Math.floor(total / 60) % 60, total % 60].map((part) => String(part).padStart(2, "0")).join(":");
  return days > 0 ? t("deadline.days", { days, clock }) : clock;
}

/** The current time, renewed every second while mounted. */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), SECOND);
    return () => clearInterval(tick);
  }, []);
  return now;
}

/**
 * A deadline in the region's local time (WIB/WITA/WIT) with the time left, ticking every second, or how long ago
 * it passed; once it no longer matters (`running` false: the report moved on), only the time.
 */
export function Countdown({ label, deadline, regionCode, running, kind }: { label: string; deadline: string; regionCode: string; running: boolean; kind: string }) {
  const now = useNow();
  const left = Date.parse(deadline) - now;
  return (
    <p className={`deadline${running && left < 0 ? " late" : ""}`} data-deadline={kind}>
      {label}: {formatInZone(deadline, zoneOf(regionCode), currentLanguage())}
      {running && <strong> · {left >= 0 ? t("deadline.left", { time: duration(left) }) : t("deadline.over", { time: duration(left) })}</strong>}
    </p>
  );
}
