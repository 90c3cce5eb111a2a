// SignIn: user name and password, POST /auth/login; errors are sentences
// announced to screen readers.
import { useState } from "preact/hooks";
import { login, type Me } from "../../api/session";
import { useI18n } from "../../i18n";

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const { t } = useI18n();
  const [subject, setSubject] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (!subject.trim() || !password) {
      setError(t("signIn.required"));
      return;
    }
    setBusy(true);
    setError("");
    const r = await login(subject.trim(), password);
    setBusy(false);
    if (r.ok) {
      onSignedIn(r.me);
      return;
    }
    setPassword("");
    setError(
      r.kind === "failed" ? t("signIn.failed")
        : r.kind === "rateLimited" ? t("signIn.rateLimited", { seconds: r.retryAfter ?? 60 })
        : t("signIn.unreachable"),
    );
  }

  return (
    <main id="main" class="signin">
      <form onSubmit={submit} aria-describedby={error ? "signin-error" : undefined} noValidate>
        <h1>{t("app.title")}</h1>
        <h2>{t("signIn.title")}</h2>
        <label for="signin-subject">{t("signIn.subject")}</label>
        <input id="signin-subject" name="username" autocomplete="username" value={subject}
          onInput={(e) => setSubject(e.currentTarget.value)} required autoFocus aria-invalid={!!error} />
        <label for="signin-password">{t("signIn.password")}</label>
        <input id="signin-password" name="password" type="password" autocomplete="current-password" value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} required aria-invalid={!!error} />
        <p id="signin-error" class="error" role="alert" aria-live="assertive">{error}</p>
        <button type="submit" disabled={busy}>{busy ? t("signIn.working") : t("signIn.submit")}</button>
      </form>
    </main>
  );
}
