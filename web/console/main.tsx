import { useCallback, useState } from "react";
import { createRoot } from "react-dom/client";
import { t } from "../i18n";
import { LanguageSwitch } from "../shared/LanguageSwitch";
import { SignInForm } from "../shared/SignInForm";
import { useSession } from "../shared/use-session";
import { Board } from "./Board";
import { IncidentDetail, Incidents } from "./Incidents";
import { RegionBoard } from "./RegionBoard";
import "./console.css";

function App() {
  const [, setRenders] = useState(0);
  const { session, restoring, adopt, accessToken, signOut } = useSession();
  const [open, setOpen] = useState<string | null>(null);
  const [alertsSeen, setAlertsSeen] = useState(0);
  // The board reads the expiry of whatever token the session holds now.
  const expiry = useCallback(() => session?.accessTokenExpiresAt ?? null, [session]);
  const signedIn = session !== null;

  return (
    <>
      <header>
        <span className="brand">{t("app.console")}</span>
        {session && <span className="who">{session.account.loginName}</span>}
        <LanguageSwitch onChange={() => setRenders((count) => count + 1)} />
        {signedIn && (
          <button type="button" className="secondary" onClick={() => void signOut()}>
            {t("app.signOut")}
          </button>
        )}
      </header>
      <main>
        {!signedIn && !restoring && <SignInForm onSession={adopt} />}
        {session && (
          <>
            <Board
              accessToken={accessToken}
              tokenExpiresAt={expiry}
              onOpen={setOpen}
              key={session.account.id}
              onAlert={() => setAlertsSeen((count) => count + 1)}
            />
            {open && <IncidentDetail id={open} accessToken={accessToken} onClose={() => setOpen(null)} onReviewed={() => setAlertsSeen((count) => count + 1)} />}
            <RegionBoard accessToken={accessToken} regionCode={session.account.regions[0] ?? ""} refreshKey={alertsSeen} />
            <Incidents accessToken={accessToken} homeRegion={session.account.regions[0] ?? ""} onOpen={setOpen} refreshKey={alertsSeen} />
          </>
        )}
      </main>
    </>
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<App />);
