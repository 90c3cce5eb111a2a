// ReassignForm: a supervisor hands a ticket to another agent. Shared by
// the ticket tables and the SLA alerts, so acting on a late ticket is the
// same control wherever it shows.
import { useState } from "preact/hooks";
import { useMutation } from "@urql/preact";
import { SupervisorAssignTicketDocument } from "./supervisor.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

type Props = {
  ticketId: string; number: string; assigneeId: string | null | undefined;
  agents: { id: string; name: string }[]; onDone: () => void;
  /** idPrefix keeps the select's id unique when a ticket shows in two tables. */
  idPrefix?: string;
};

export function ReassignForm({ ticketId, number, assigneeId, agents, onDone, idPrefix = "sup-assign" }: Props) {
  const { t } = useI18n();
  const [to, setTo] = useState(agents.find((a) => a.id !== assigneeId)?.id ?? "");
  const [res, assign] = useMutation(SupervisorAssignTicketDocument);
  const [done, setDone] = useState("");
  async function submit(e: Event) {
    e.preventDefault();
    if (!to) return;
    const r = await assign({ ticketId, agentId: to });
    if (!r.error) { setDone(t("supervisor.assigned", { agent: to })); onDone(); }
  }
  const sid = `${idPrefix}-${ticketId}`;
  return (
    <>
      <form class="row" onSubmit={submit}>
        <label class="sr-only" for={sid}>{t("supervisor.assignTo", { ticket: number })}</label>
        <select id={sid} value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          {agents.map((a) => <option value={a.id}>{a.name} ({a.id})</option>)}
        </select>
        <button type="submit" disabled={res.fetching || !to}>{t("supervisor.assign")}</button>
      </form>
      <ErrorText error={res.error} />
      {done ? <span class="ok" role="status">{done}</span> : null}
    </>
  );
}
