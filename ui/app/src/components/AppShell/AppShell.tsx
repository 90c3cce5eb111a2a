// AppShell: the header every role shares (who is signed in, language,
// sign out) around the role's workspace.
import type { ComponentChildren } from "preact";
import type { Me } from "../../api/session";
import { locales, useI18n, type Locale } from "../../i18n";

type Props = { me: Me; onLocale: (l: Locale) => void; onSignOut: () => void; connected: boolean | undefined; children: ComponentChildren };

export function AppShell({ me, onLocale, onSignOut, connected, children }: Props) {
  const { t, locale } = useI18n();
  return (
    <>
      <a class="skip" href="#main">{t("app.skip")}</a>
      <header class="shell">
        <h1>{t("app.title")}</h1>
        {connected === undefined ? null : (
          <span class={connected ? "conn live" : "conn"} role="status">
            {connected ? t("inbox.live") : t("inbox.reconnecting")}
          </span>
        )}
        <span class="who">{t("app.signedInAs", { name: me.displayName, role: t(`role.${me.role}`) })}</span>
        <label>
          <span class="sr-only">{t("app.language")}</span>
          <select id="locale" aria-label={t("app.language")} value={locale}
            onChange={(e) => onLocale(e.currentTarget.value as Locale)}>
            {locales.map((l) => <option value={l.id} lang={l.id}>{l.name}</option>)}
          </select>
        </label>
        <button type="button" onClick={onSignOut}>{t("app.signOut")}</button>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
