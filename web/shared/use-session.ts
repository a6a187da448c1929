import { useCallback, useEffect, useRef, useState } from "react";
import { Account, refresh, renewIn, Session, signOut } from "./session";

/**
 * The signed-in session of a page: restored from the refresh cookie on load, renewed a minute before the
 * access token expires; `accessToken()` renews when needed and answers null when it cannot. With
 * `rememberAs` (a localStorage key; default none) the account, never a token, is remembered on the device,
 * so an app opened with no signal still knows who is signed in (Lapor on a volunteer's own phone; not the
 * console, which may run on a shared office computer).
 */
/**
 * Set while this browser holds a refresh cookie (which scripts cannot see): without it the page shows the sign-in
 * form at once instead of first asking /auth/refresh, a round trip that can only fail. Holds no secret.
 */
const SIGNED_IN_HINT = "kawal-signed-in";

export function useSession(rememberAs?: string) {
  const [session, setSession] = useState<Session | null>(null);
  const [account, setAccount] = useState<Account | null>(() => (rememberAs ? (JSON.parse(localStorage.getItem(rememberAs) ?? "null") as Account | null) : null));
  const [restoring, setRestoring] = useState(true);
  const current = useRef<Session | null>(null);

  const adopt = useCallback(
    (next: Session | null) => {
      current.current = next;
      setSession(next);
      if (next) localStorage.setItem(SIGNED_IN_HINT, "1");
      else localStorage.removeItem(SIGNED_IN_HINT);
      if (next) {
        setAccount(next.account);
        if (rememberAs) localStorage.setItem(rememberAs, JSON.stringify(next.account));
      }
    },
    [rememberAs],
  );

  const accessToken = useCallback(async (): Promise<string | null> => {
    const now = current.current;
    if (now && Date.parse(now.accessTokenExpiresAt) - Date.now() > 30_000) return now.accessToken;
    if (!now && !localStorage.getItem(SIGNED_IN_HINT)) return null;
    try {
      const renewed = await refresh();
      adopt(renewed);
      return renewed?.accessToken ?? null;
    } catch {
      return null; // no network
    }
  }, [adopt]);

  useEffect(() => {
    void accessToken().finally(() => setRestoring(false));
  }, [accessToken]);

  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => void refresh().then(adopt, () => undefined), renewIn(session));
    return () => clearTimeout(timer);
  }, [session, adopt]);

  const end = useCallback(async () => {
    await signOut();
    adopt(null);
    setAccount(null);
    if (rememberAs) localStorage.removeItem(rememberAs);
  }, [adopt, rememberAs]);

  return { session, account, restoring, adopt, accessToken, signOut: end };
}
