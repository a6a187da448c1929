import { useCallback, useState } from "react";
import { createRoot } from "react-dom/client";
import { t } from "../i18n";
import { LanguageSwitch } from "../shared/LanguageSwitch";
import { SignInForm } from "../shared/SignInForm";
import { useSession } from "../shared/use-session";
import { Board } from "./Board";
import { Directory } from "./Directory";
import { EventPage } from "./EventPage";
import { Events } from "./Events";
import { IncidentDetail, Incidents } from "./Incidents";
import { Nav } from "./Nav";
import { Organization } from "./Organization";
import { RegionBoard } from "./RegionBoard";
import { go, useRoute } from "./router";
import "./console.css";

function App() {
  const [, setRenders] = useState(0);
  const { session, restoring, adopt, accessToken, signOut } = useSession();
  const route = useRoute();
  const [alertsSeen, setAlertsSeen] = useState(0);
  // The board reads the expiry of whatever token the session holds now.
  const expiry = useCallback(() => session?.accessTokenExpiresAt ?? null, [session]);
  const signedIn = session !== null;
  const open = useCallback((id: string) => go({ page: "incidents", id }), []);

  /** The page of the current route, below the board (which stays subscribed on every page). */
  function page(regions: string[]) {
    switch (route.page) {
      case "incidents":
        return (
          <>
            {route.id && <IncidentDetail key={route.id} id={route.id} accessToken={accessToken} onClose={() => go({ page: "incidents" })} onReviewed={() => setAlertsSeen((count) => count + 1)} />}
            <Incidents accessToken={accessToken} homeRegion={regions[0] ?? ""} onOpen={open} refreshKey={alertsSeen} />
          </>
        );
      case "regions":
        return <RegionBoard accessToken={accessToken} regionCodes={regions} refreshKey={alertsSeen} />;
      case "directory":
        return <Directory accessToken={accessToken} />;
      case "organization":
        return <Organization id={route.id} accessToken={accessToken} />;
      case "events":
        return <Events accessToken={accessToken} homeRegion={regions[0] ?? ""} />;
      case "event":
        return <EventPage id={route.id} accessToken={accessToken} />;
      default:
        return null;
    }
  }

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
      {session && <Nav current={route} />}
      <main>
        {!signedIn && !restoring && <SignInForm onSession={adopt} />}
        {session && (
          <>
            {/* Hidden, not unmounted, on the other pages: alerts keep arriving, ringing and refreshing them. */}
            <div hidden={route.page !== "board"}>
              <Board accessToken={accessToken} tokenExpiresAt={expiry} onOpen={open} key={session.account.id} onAlert={() => setAlertsSeen((count) => count + 1)} />
            </div>
            {page(session.account.regions)}
          </>
        )}
      </main>
    </>
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<App />);
