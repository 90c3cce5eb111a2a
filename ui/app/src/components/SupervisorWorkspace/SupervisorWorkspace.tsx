// SupervisorWorkspace: the live wallboard (queues with today's service
// level, agents by presence with their load per channel, and anyone's
// presence set from the row), SLA clocks breached and at risk (tickets' and
// interactions'), tickets past a deadline, reassignment, and the knowledge
// base's editor.
// Agents' rows are live through agentPresenceChanged.
import { useMemo, useRef, useState } from "preact/hooks";
import { useMutation, useQuery, useSubscription } from "@urql/preact";
import {
  SupervisorAgentsDocument, SupervisorBoardDocument, SupervisorServiceLevelDocument,
  SupervisorSetPresenceDocument, SupervisorTicketsDocument, type SupervisorAgentFragment, type SupervisorTicketFragment,
} from "./supervisor.generated";
import type { Presence } from "../../graphql/types.generated";
import { ErrorText } from "../ErrorText";
import { errorKey } from "../../api/client";
import { useI18n } from "../../i18n";
import { ReportExplorer } from "../AnalystWorkspace/ReportExplorer";
import { dayString, midnightIn } from "../AnalystWorkspace/reportData";
import { QaReview } from "./QaReview";
import { SupervisorCustomers } from "../SupervisorCustomers/SupervisorCustomers";
import { ReassignForm } from "./ReassignForm";
import { SlaAlerts } from "./SlaAlerts";
import { KnowledgeEditor } from "../KnowledgeEditor/KnowledgeEditor";

const presences: Presence[] = ["AVAILABLE", "BUSY", "AFTER_CALL_WORK", "BREAK", "OFFLINE"];
const presenceOrder = (p: Presence) => presences.indexOf(p);
type Live = Record<string, { a: SupervisorAgentFragment; n: number }>;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export function SupervisorWorkspace() {
  return (
    <div class="stack supervisor">
      <SupervisorWallboard />
      <SupervisorSla />
      <SupervisorTickets />
      <SupervisorCustomers />
      <QaReview />
      <KnowledgeEditor />
      <ReportExplorer />
    </div>
  );
}

function SupervisorWallboard() {
  const { t, duration } = useI18n();
  const [q] = useQuery({ query: SupervisorBoardDocument });
  // The newest of what the subscription pushed and what a mutation returned, per agent.
  const seq = useRef(0);
  const [s] = useSubscription({ query: SupervisorAgentsDocument }, (acc: Live = {}, d) =>
    ({ ...acc, [d.agentPresenceChanged.id]: { a: d.agentPresenceChanged, n: ++seq.current } }));
  const [mine, setMine] = useState<Live>({});
  const latest = (id: string) => {
    const x = s.data?.[id], y = mine[id];
    return x && y ? (x.n > y.n ? x.a : y.a) : (x ?? y)?.a;
  };
  const today = dayString(new Date());
  const vars = useMemo(() => ({ from: midnightIn(today, zone), to: midnightIn(today, zone, 1), timeZone: zone }), [today]);
  const [sl] = useQuery({ query: SupervisorServiceLevelDocument, variables: vars });
  const level = new Map<string, number>();
  if (sl.data) {
    const qi = sl.data.report.columns.findIndex((c) => c.name === "queue");
    const li = sl.data.report.columns.findIndex((c) => c.name === "service_level");
    for (const r of sl.data.report.rows as unknown[][]) level.set(String(r[qi]), Number(r[li]));
  }
  const pct = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
  const agents = (q.data?.agents ?? []).map((a) => latest(a.id) ?? a)
    .sort((a, b) => presenceOrder(a.presence) - presenceOrder(b.presence) || a.name.localeCompare(b.name));
  return (
    <section aria-labelledby="wb-title">
      <h2 id="wb-title">{t("wallboard.title")}</h2>
      <ErrorText error={q.error} />
      <h3>{t("wallboard.queues")}</h3>
      <table class="sup-queues">
        <thead><tr>
          <th scope="col">{t("wallboard.queue")}</th><th scope="col" class="num">{t("wallboard.waiting")}</th>
          <th scope="col" class="num">{t("wallboard.longest")}</th><th scope="col" class="num">{t("supervisor.serviceLevel")}</th>
        </tr></thead>
        <tbody>{(q.data?.queues ?? []).map((x) => (
          <tr data-queue={x.name}>
            <td>{x.name}</td><td class="num">{x.waitingCount}</td><td class="num">{duration(x.longestWaitSeconds)}</td>
            <td class="num">{level.has(x.name) ? pct.format(level.get(x.name)!) : "—"}</td>
          </tr>
        ))}</tbody>
      </table>
      {sl.error ? <p class="muted">{errorKey(sl.error) === "error.UNAVAILABLE" ? t("supervisor.noServiceLevel") : t(errorKey(sl.error)!)}</p> : null}
      <h3>{t("wallboard.agents")}</h3>
      <table class="sup-agents">
        <thead><tr>
          <th scope="col">{t("wallboard.agent")}</th><th scope="col">{t("supervisor.team")}</th><th scope="col">{t("wallboard.presence")}</th>
          <th scope="col">{t("supervisor.loadByChannel")}</th><th scope="col">{t("supervisor.setPresence")}</th>
        </tr></thead>
        <tbody>{agents.map((a) => <AgentRow key={a.id} agent={a} onChanged={(a) => setMine((m) => ({ ...m, [a.id]: { a, n: ++seq.current } }))} />)}</tbody>
      </table>
    </section>
  );
}

function AgentRow({ agent: a, onChanged }: { agent: SupervisorAgentFragment; onChanged: (a: SupervisorAgentFragment) => void }) {
  const { t } = useI18n();
  const [presence, setPresence] = useState<Presence>(a.presence === "AVAILABLE" ? "BREAK" : "AVAILABLE");
  const [reason, setReason] = useState("");
  const [res, set] = useMutation(SupervisorSetPresenceDocument);
  const load = a.loadByChannel.length ? a.loadByChannel.map((c) => `${t(`channel.${c.channel}`)} ${c.count}`).join(" · ") : t("supervisor.idle");
  async function submit(e: Event) {
    e.preventDefault();
    const r = await set({ agentId: a.id, presence, reason: reason.trim() || null });
    if (r.data?.setPresence.agent) {
      onChanged(r.data.setPresence.agent);
      setReason("");
    }
  }
  const pid = `sup-presence-${a.id}`, rid = `sup-reason-${a.id}`;
  return (
    <tr data-agent={a.id}>
      <td>{a.name}</td><td class="muted">{a.team ?? "—"}</td>
      <td class={`presence-${a.presence}`} data-presence={a.presence}>{t(`presence.${a.presence}`)}</td>
      <td>{load}</td>
      <td>
        <form class="row" onSubmit={submit}>
          <label class="sr-only" for={pid}>{t("supervisor.presenceFor", { name: a.name })}</label>
          <select id={pid} value={presence} onChange={(e) => setPresence(e.currentTarget.value as Presence)}>
            {presences.map((p) => <option value={p}>{t(`presence.${p}`)}</option>)}
          </select>
          <label class="sr-only" for={rid}>{t("supervisor.reasonFor", { name: a.name })}</label>
          <input id={rid} size={10} value={reason} placeholder={t("supervisor.reason")} onInput={(e) => setReason(e.currentTarget.value)} />
          <button type="submit" disabled={res.fetching}>{t("supervisor.set")}</button>
        </form>
        <ErrorText error={res.error} />
      </td>
    </tr>
  );
}

function SupervisorTickets() {
  const { t } = useI18n();
  const [q, refetch] = useQuery({ query: SupervisorTicketsDocument, requestPolicy: "cache-and-network" });
  const [b] = useQuery({ query: SupervisorBoardDocument });
  const agents = b.data?.agents ?? [];
  const overdue = q.data?.overdue.nodes ?? [];
  return (
    <section aria-labelledby="sup-tickets-title">
      <h2 id="sup-tickets-title">{t("supervisor.ticketsTitle")}</h2>
      <ErrorText error={q.error} />
      <h3>{t("supervisor.overdue")}</h3>
      {overdue.length ? <TicketTable tickets={overdue} agents={agents} onDone={() => refetch({ requestPolicy: "network-only" })} />
        : <p class="muted">{t("supervisor.noneOverdue")}</p>}
      <h3>{t("supervisor.open")}</h3>
      {q.data?.open.nodes.length ? <TicketTable tickets={q.data.open.nodes} agents={agents} onDone={() => refetch({ requestPolicy: "network-only" })} />
        : <p class="muted">{t("supervisor.noneOpen")}</p>}
    </section>
  );
}

function TicketTable({ tickets, agents, onDone }: { tickets: SupervisorTicketFragment[]; agents: { id: string; name: string }[]; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <table class="sup-tickets">
      <thead><tr>
        <th scope="col">{t("supervisor.ticket")}</th><th scope="col">{t("supervisor.priority")}</th>
        <th scope="col">{t("supervisor.status")}</th><th scope="col">{t("supervisor.assignee")}</th><th scope="col">{t("supervisor.reassign")}</th>
      </tr></thead>
      <tbody>{tickets.map((tk) => <TicketRow key={tk.id} ticket={tk} agents={agents} onDone={onDone} />)}</tbody>
    </table>
  );
}

function TicketRow({ ticket: tk, agents, onDone }: { ticket: SupervisorTicketFragment; agents: { id: string; name: string }[]; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <tr data-ticket={tk.id}>
      <td>{tk.number}<br /><span class="muted">{tk.subject}</span></td>
      <td>{t(`priority.${tk.priority}`)}</td><td>{t(`ticketStatus.${tk.status}`)}</td><td>{tk.assigneeId ?? "—"}</td>
      <td><ReassignForm ticketId={tk.id} number={tk.number} assigneeId={tk.assigneeId} agents={agents} onDone={onDone} /></td>
    </tr>
  );
}

/** SupervisorSla: the SLA alerts, with the agents a late ticket can go to. */
function SupervisorSla() {
  const [b] = useQuery({ query: SupervisorBoardDocument });
  return <SlaAlerts agents={b.data?.agents ?? []} />;
}
