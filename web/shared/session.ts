/*
 * Signing in from a browser: the access token lives in memory only; the refresh token is an httpOnly cookie
 * scoped to /auth/refresh (see gateway/auth-routes.ts), so a reload signs in again without a password and no
 * script can read it.
 */

export interface Account {
  id: string;
  loginName: string;
  role: "AGENCY" | "ORMAS" | "INTEGRATOR";
  regions: string[];
  organization: { id: string } | null;
}

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: string;
  account: Account;
}

export type SignInFailure = "failed" | "passwordChange" | "unavailable";

async function post(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, refreshCookie: true }), credentials: "same-origin" });
}

export async function signIn(loginName: string, password: string): Promise<Session | SignInFailure> {
  try {
    const response = await post("/auth/sign-in", { loginName, password });
    if (response.ok) return (await response.json()) as Session;
    if (response.status === 403) return "passwordChange";
    return response.status >= 500 || response.status === 429 ? "unavailable" : "failed";
  } catch {
    return "unavailable";
  }
}

/**
 * A fresh session from the refresh cookie; null when there is none (signed out) or the hub refuses it; throws
 * with no network. A refresh token works once and presenting it twice revokes its family, so refreshes are
 * serialized across this origin's tabs (Web Locks; each then sends the cookie the previous one set).
 */
export async function refresh(): Promise<Session | null> {
  const run = async () => {
    const response = await post("/auth/refresh", {});
    return response.ok ? ((await response.json()) as Session) : null;
  };
  return "locks" in navigator ? navigator.locks.request("kawal-refresh", run) : run();
}

export async function signOut(): Promise<void> {
  await fetch("/auth/refresh", { method: "DELETE", credentials: "same-origin" }).catch(() => undefined);
}

/** Milliseconds until the session should be renewed: a minute before its access token expires. */
export function renewIn(session: Session): number {
  return Math.max(5_000, Date.parse(session.accessTokenExpiresAt) - Date.now() - 60_000);
}
