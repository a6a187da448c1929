import { useEffect, useRef, useState } from "react";
import { currentLanguage, t } from "../i18n";
import { graphql } from "../shared/graphql";
import { formatInZone, zoneOf } from "../shared/time-zone";
import { Alert, FeedStatus, openAlertFeed } from "./alerts";

interface Props {
  accessToken: () => Promise<string | null>;
  tokenExpiresAt: () => string | null;
  onOpen: (reportId: string) => void;
  /** Called for each new alert (the list below reloads). */
  onAlert: () => void;
}

/** A short tone for a new alert (no audio file to fetch). */
function beep(): void {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  } catch {
    // No audio device.
  }
}

/** Live alerts for the officer's regions, newest on top. */
export function Board({ accessToken, tokenExpiresAt, onOpen, onAlert }: Props) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [status, setStatus] = useState<FeedStatus>("connecting");
  const [muted, setMuted] = useState(true);
  const mutedRef = useRef(muted);
  mutedRef.current = muted;
  const onAlertRef = useRef(onAlert);
  onAlertRef.current = onAlert;
  // A renewed session must not reopen the feed (the feed replaces its socket itself, from its last sequence).
  const expiryRef = useRef(tokenExpiresAt);
  expiryRef.current = tokenExpiresAt;

  useEffect(() => {
    let feed: { close(): void } | undefined;
    let cancelled = false;
    void (async () => {
      // From now on: earlier reports are in the list below the board.
      const token = await accessToken();
      const { data } = await graphql<{ latestAlertSequence: string | null }>("{ latestAlertSequence }", {}, token ?? undefined).catch(() => ({ data: null }));
      if (cancelled) return;
      feed = openAlertFeed({
        accessToken,
        tokenExpiresAt: () => expiryRef.current(),
        after: data?.latestAlertSequence ?? null,
        onStatus: setStatus,
        onAlert: (alert) => {
          setAlerts((shown) => [alert, ...shown].slice(0, 200));
          if (!mutedRef.current) beep();
          onAlertRef.current();
        },
      });
    })();
    return () => {
      cancelled = true;
      feed?.close();
    };
  }, [accessToken]);

  return (
    <section className="board" aria-labelledby="board-title">
      <div className="board-head">
        <h2 id="board-title">{t("board.title")}</h2>
        <span className={`status ${status}`} role="status" data-status={status}>
          {status === "live" ? t("board.live") : t("board.reconnecting")}
        </span>
        <button type="button" className="secondary" onClick={() => setMuted(!muted)}>
          {muted ? t("board.unmute") : t("board.mute")}
        </button>
      </div>
      {alerts.length === 0 ? (
        <p>{t("board.empty")}</p>
      ) : (
        <ul className="alerts" aria-live="polite">
          {alerts.map((alert) => (
            <li key={alert.sequence} className={`alert severity-${alert.report.severity}`} data-sequence={alert.sequence}>
              <button type="button" className="link" onClick={() => onOpen(alert.report.id)}>
                <strong>{alert.report.title}</strong>
              </button>
              <span>
                {t(`alertKind.${alert.kind}`)} · {t(`category.${alert.report.category}`)} · {t(`severity.${alert.report.severity}`)} · {alert.report.region.name}
              </span>
              <span>
                {formatInZone(alert.raisedAt, zoneOf(alert.report.region.code), currentLanguage())}
                {alert.report.candidatePair && ` · Paslon ${alert.report.candidatePair.ballotNumber} (${alert.report.candidatePair.headCandidate})`}
                {alert.report.event && ` · ${t("board.event")}: ${alert.report.event.title}`}
                {alert.report.reporter && ` · ${t("board.reporter")}: ${alert.report.reporter.name}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
