import { FormEvent, useState } from "react";
import { t } from "../i18n";
import { Session, signIn } from "./session";

/** Login name and password; hands the session to `onSession`. */
export function SignInForm({ onSession }: { onSession: (session: Session) => void }) {
  const [loginName, setLoginName] = useState("");
  const [password, setPassword] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const answer = await signIn(loginName, password);
    setBusy(false);
    if (typeof answer === "string") setFailure(t(`signIn.${answer}`));
    else onSession(answer);
  }
  return (
    <form className="sign-in" onSubmit={(event) => void submit(event)}>
      <h1>{t("signIn.title")}</h1>
      <label>
        {t("signIn.loginName")}
        <input name="loginName" autoComplete="username" value={loginName} onChange={(event) => setLoginName(event.target.value)} required />
      </label>
      <label>
        {t("signIn.password")}
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required />
      </label>
      {failure && <p role="alert" className="error">{failure}</p>}
      <button type="submit" disabled={busy}>{t("signIn.submit")}</button>
    </form>
  );
}
