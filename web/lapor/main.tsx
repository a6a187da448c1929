import { useCallback, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { currentLanguage, ruleMessage, t } from "../i18n";
import { ApiError, fieldErrors } from "../shared/graphql";
import { LanguageSwitch } from "../shared/LanguageSwitch";
import { SignInForm } from "../shared/SignInForm";
import { formatInZone, zoneOf } from "../shared/time-zone";
import { useSession } from "../shared/use-session";
import { OwnReport, ownReports } from "./api";
import { addToOutbox, flushOutbox, loadOutbox, OutboxEntry, removeEntry, ReportInput } from "./outbox";
import { ReportForm } from "./ReportForm";
import "./lapor.css";

/** How often waiting reports are tried again while the page is open, besides the browser's "online" event. */
const RETRY_MS = 15_000;

function Outbox({ entries }: { entries: OutboxEntry[] }) {
  if (entries.length === 0) return null;
  return (
    <section className="outbox" aria-labelledby="outbox-title">
      <h2 id="outbox-title">{t("outbox.title")}</h2>
      <ul>
        {[...entries].reverse().map((entry) => {
          const zone = zoneOf(entry.input.regionCode);
          return (
            <li key={entry.key} className={`entry ${entry.state}`} data-key={entry.key}>
              <strong>{entry.input.title}</strong>
              <span className="state">{t(`outbox.${entry.state}`)}</span>
              {(entry.photoIds?.length ?? 0) > 0 && <span data-photos>{t("outbox.photos", { count: entry.photoIds!.length })}</span>}
              {entry.filed && <span>{t("outbox.id", { id: entry.filed.id })}</span>}
              {entry.filed && <span>{t("outbox.deadline", { time: formatInZone(entry.filed.reportingDeadline, zone, currentLanguage()) })}</span>}
              {entry.errors?.map((error, index) => <span key={index} className="error">{error.extensions?.rule ? ruleMessage(error.extensions.rule) : error.message}</span>)}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function OwnReports({ reports }: { reports: OwnReport[] }) {
  return (
    <section className="own" aria-labelledby="own-title">
      <h2 id="own-title">{t("reports.title")}</h2>
      {reports.length === 0 ? (
        <p>{t("reports.empty")}</p>
      ) : (
        <ul>
          {reports.map((report) => (
            <li key={report.id}>
              <strong>{report.title}</strong>
              <span>
                #{report.id} · {t(`category.${report.category}`)} · {t(`status.${report.status}`)}
              </span>
              <span>{t("outbox.deadline", { time: formatInZone(report.reportingDeadline, zoneOf(report.region.code), currentLanguage()) })}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function App() {
  const [, setRenders] = useState(0);
  const { account, restoring, adopt, accessToken, signOut } = useSession("kawal.lapor.account");
  const [entries, setEntries] = useState<OutboxEntry[]>(loadOutbox);
  const [errors, setErrors] = useState<Record<string, ApiError>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [reports, setReports] = useState<OwnReport[]>([]);

  const refreshReports = useCallback(async () => {
    const token = await accessToken();
    if (!token || !account?.organization) return;
    setReports(await ownReports(token, account.regions, account.organization.id).catch(() => []));
  }, [accessToken, account]);

  const flush = useCallback(async () => {
    const before = loadOutbox().filter((entry) => entry.state === "sent").length;
    await flushOutbox(accessToken);
    const now = loadOutbox();
    setEntries(now);
    if (now.filter((entry) => entry.state === "sent").length > before) void refreshReports();
  }, [accessToken, refreshReports]);

  useEffect(() => {
    if (!account) return;
    void flush();
    void refreshReports();
    const retry = setInterval(() => void flush(), RETRY_MS);
    const online = () => void flush();
    window.addEventListener("online", online);
    return () => {
      clearInterval(retry);
      window.removeEventListener("online", online);
    };
  }, [account, flush, refreshReports]);

  async function submit(input: ReportInput, photoIds: string[]): Promise<boolean> {
    setNotice(null);
    if (!input.category) {
      setErrors({ category: { message: "category", extensions: { field: "input.category", rule: "must not be empty" } } });
      return false;
    }
    const entry = addToOutbox(input, photoIds);
    setEntries(loadOutbox());
    await flush();
    const after = loadOutbox().find((candidate) => candidate.key === entry.key);
    if (after?.state === "rejected") {
      // Shown next to the fields to fix; the fixed report is a new one, with a new key.
      setErrors(fieldErrors(after.errors));
      removeEntry(entry.key);
      setEntries(loadOutbox());
      return false;
    }
    setErrors({});
    if (after?.state === "waiting") setNotice(t("outbox.savedOffline"));
    window.scrollTo(0, 0); // where the report's state is shown
    return true;
  }

  return (
    <>
      <header>
        <span className="brand">{t("app.lapor")}</span>
        <LanguageSwitch onChange={() => setRenders((count) => count + 1)} />
        {account && (
          <button type="button" className="secondary" onClick={() => void signOut()}>
            {t("app.signOut")}
          </button>
        )}
      </header>
      <main>
        {!account && !restoring && (
          <SignInForm
            onSession={(session) => {
              adopt(session);
            }}
          />
        )}
        {account && account.role !== "ORMAS" && <p className="error">{t("signIn.needsOrmas")}</p>}
        {account && account.role === "ORMAS" && (
          <>
            {notice && <p className="notice" role="status">{notice}</p>}
            <Outbox entries={entries} />
            <ReportForm homeRegion={account.regions[0] ?? ""} errors={errors} onSubmit={submit} />
            <OwnReports reports={reports} />
          </>
        )}
      </main>
    </>
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<App />);

// Opens with no network once visited (a service worker needs a secure context: localhost or HTTPS).
if ("serviceWorker" in navigator) void navigator.serviceWorker.register("/lapor/sw.js", { scope: "/lapor" }).catch(() => undefined);
