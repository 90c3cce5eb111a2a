// Wallboard: queues and agents for supervisors; agents' presence is live
// through agentPresenceChanged.
import { useQuery, useSubscription } from "@urql/preact";
import { WallboardAgentsDocument, WallboardDocument, type WallboardQuery } from "./wallboard.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

type AgentRow = WallboardQuery["agents"][number];

export function Wallboard() {
  const { t, duration } = useI18n();
  const [q] = useQuery({ query: WallboardDocument });
  const [s] = useSubscription({ query: WallboardAgentsDocument }, (acc: Record<string, AgentRow> = {}, d) =>
    ({ ...acc, [d.agentPresenceChanged.id]: d.agentPresenceChanged }));
  const agents = (q.data?.agents ?? []).map((a) => s.data?.[a.id] ?? a);
  return (
    <section aria-labelledby="wb-title">
      <h2 id="wb-title">{t("wallboard.title")}</h2>
      <ErrorText error={q.error} />
      <h3>{t("wallboard.queues")}</h3>
      <table>
        <thead><tr><th>{t("wallboard.queue")}</th><th>{t("wallboard.waiting")}</th><th>{t("wallboard.longest")}</th></tr></thead>
        <tbody>{(q.data?.queues ?? []).map((x) => (
          <tr><td>{x.name}</td><td>{x.waitingCount}</td><td>{duration(x.longestWaitSeconds)}</td></tr>
        ))}</tbody>
      </table>
      <h3>{t("wallboard.agents")}</h3>
      <table>
        <thead><tr><th>{t("wallboard.agent")}</th><th>{t("wallboard.presence")}</th><th>{t("wallboard.load")}</th></tr></thead>
        <tbody>{agents.map((a) => (
          <tr><td>{a.name}</td><td>{t(`presence.${a.presence}`)}</td><td>{a.load}</td></tr>
        ))}</tbody>
      </table>
    </section>
  );
}
