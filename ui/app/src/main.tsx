// The desktop's entry: find out who is signed in, then show that role's
// workspace; a client-side route per role (/agent, /supervisor, /analyst,
// /auditor) that the server answers with index.html.
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Provider } from "@urql/preact";
import { newClient } from "./api/client";
import { logout, me as fetchMe, type Me, type Role } from "./api/session";
import { I18nContext, initialLocale, makeI18n, saveLocale, type Locale } from "./i18n";
import { SignIn } from "./components/SignIn/SignIn";
import { AppShell } from "./components/AppShell/AppShell";
import { AgentWorkspace } from "./components/AgentWorkspace/AgentWorkspace";
import { AuditTrail } from "./components/AuditTrail/AuditTrail";
import { AnalystWorkspace } from "./components/AnalystWorkspace/AnalystWorkspace";
import { SupervisorWorkspace } from "./components/SupervisorWorkspace/SupervisorWorkspace";
import "./styles.css";

const home: Record<Role, string> = { AGENT: "/agent", SUPERVISOR: "/supervisor", ANALYST: "/analyst", AUDITOR: "/auditor", ADMIN: "/supervisor" };

function go(path: string) {
  if (location.pathname !== path) history.replaceState(null, "", path);
}

function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale());
  const i18n = useMemo(() => makeI18n(locale), [locale]);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  // undefined until a subscription first connects: pages without live data show no badge.
  const [connected, setConnected] = useState<boolean | undefined>(undefined);
  useEffect(() => { saveLocale(locale); document.title = i18n.t("app.title"); }, [locale]);
  useEffect(() => { fetchMe().then(setMe, () => setMe(null)); }, []);
  useEffect(() => { if (me) go(home[me.role]); else if (me === null) go("/signin"); }, [me]);
  // A new client per session: nothing cached crosses a sign-out.
  const client = useMemo(() => (me ? newClient(setConnected, () => setMe(null)) : null), [me?.subject, me?.role]);
  useEffect(() => setConnected(undefined), [client]);

  async function signOut() {
    await logout();
    setMe(null);
  }

  let body;
  if (me === undefined) body = <p class="loading">{i18n.t("app.loading")}</p>;
  else if (me === null || !client) body = <SignIn onSignedIn={setMe} />;
  else {
    let workspace;
    switch (me.role) {
      case "AGENT": workspace = <AgentWorkspace agentId={me.subject} />; break;
      case "SUPERVISOR": case "ADMIN": workspace = <SupervisorWorkspace />; break;
      case "ANALYST": workspace = <AnalystWorkspace />; break;
      case "AUDITOR": workspace = <AuditTrail />; break;
      default: workspace = <p>{i18n.t("app.noUI")}</p>;
    }
    body = (
      <Provider value={client}>
        <AppShell me={me} onLocale={setLocale} onSignOut={signOut} connected={connected}>{workspace}</AppShell>
      </Provider>
    );
  }
  return <I18nContext.Provider value={i18n}>{body}</I18nContext.Provider>;
}

render(<App />, document.getElementById("app")!);
