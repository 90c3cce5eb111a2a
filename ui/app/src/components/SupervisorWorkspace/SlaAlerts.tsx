// SlaAlerts: the wallboard's running SLA clocks that are breached or at
// risk, tickets' and interactions' together, most urgent first. Kept live
// by slaAlertsChanged (SLA events, changes of hands); no polling: a clock
// that passes its deadline before the policy records the breach turns
// "overdue" by the local countdown (the inbox's SlaCountdown).
import { useQuery, useSubscription } from "@urql/preact";
import { SupervisorSlaAlertsChangedDocument, SupervisorSlaAlertsDocument, type SupervisorSlaAlertFragment } from "./supervisor.generated";
import { ErrorText } from "../ErrorText";
import { SlaCountdown } from "../Inbox/Inbox";
import { useNow } from "../useNow";
import { useI18n } from "../../i18n";
import { ReassignForm } from "./ReassignForm";

type Agents = { id: string; name: string }[];

export function SlaAlerts({ agents }: { agents: Agents }) {
  const { t } = useI18n();
  const [q] = useQuery({ query: SupervisorSlaAlertsDocument, requestPolicy: "cache-and-network" });
  const [s] = useSubscription({ query: SupervisorSlaAlertsChangedDocument });
  // Every update carries the whole list, so the latest one wins.
  const alerts = s.data?.slaAlertsChanged ?? q.data?.slaAlerts ?? [];
  return (
    <section aria-labelledby="sla-alerts-title">
      <h2 id="sla-alerts-title">{t("supervisor.slaAlerts")}</h2>
      <ErrorText error={q.error ?? s.error} />
      {alerts.length ? (
        <table class="sup-sla">
          <caption class="sr-only">{t("supervisor.slaAlertsCaption")}</caption>
          <thead><tr>
            <th scope="col">{t("supervisor.slaSubject")}</th><th scope="col">{t("supervisor.slaState")}</th>
            <th scope="col">{t("supervisor.assignee")}</th><th scope="col">{t("supervisor.slaCustomer")}</th>
            <th scope="col">{t("supervisor.reassign")}</th>
          </tr></thead>
          <tbody>{alerts.map((a) => <AlertRow key={`${a.subjectId}/${a.metric}`} alert={a} agents={agents} />)}</tbody>
        </table>
      ) : <p class="muted">{t("supervisor.noSlaAlerts")}</p>}
    </section>
  );
}

function AlertRow({ alert: a, agents }: { alert: SupervisorSlaAlertFragment; agents: Agents }) {
  const { t } = useI18n();
  const now = useNow();
  const ticket = a.subjectKind === "TICKET";
  // Every alert is a running clock: the countdown words it as at risk or overdue.
  const clock = { metric: a.metric, state: "RUNNING" as const, deadline: a.deadline, warned: a.warned, breached: a.breached };
  return (
    <tr data-sla-alert={a.subjectId} data-subject-kind={a.subjectKind}>
      <th scope="row">
        {ticket ? t("supervisor.slaTicket", { number: a.ticketNumber ?? a.subjectId })
          : t("supervisor.slaInteraction", { channel: a.channel ? t(`channel.${a.channel}`) : "" })}
        <br /><span class="muted">{a.subject}</span>
      </th>
      <td><SlaCountdown clocks={[clock]} now={now} /></td>
      <td>{a.agentId ?? t("supervisor.unassigned")}</td>
      <td>{a.customerName ?? "—"}</td>
      <td>{ticket
        ? <ReassignForm ticketId={a.subjectId} number={a.ticketNumber ?? a.subjectId} assigneeId={a.agentId} agents={agents} onDone={() => {}} idPrefix="sla-assign" />
        : "—"}</td>
    </tr>
  );
}
