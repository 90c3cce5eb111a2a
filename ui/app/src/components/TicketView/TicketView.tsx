// TicketView: one ticket, kept live by ticketUpdated: take it (or, for
// supervisors, assign it to anyone),
// move it through the statuses the domain allows, internal notes,
// collaborating departments and the SLA clocks. A note may carry files
// (picked, dropped or pasted; a note may be files alone), shown with it
// for download.
import { useState } from "preact/hooks";
import { useMutation, useQuery, useSubscription } from "@urql/preact";
import {
  AddCollaboratorDocument, AssignTicketDocument, ChangeTicketStatusDocument, CommentOnTicketDocument,
  TicketViewDocument, TicketViewUpdatedDocument, type TicketDetailFragment,
} from "./ticketView.generated";
import type { TicketStatus } from "../../graphql/types.generated";
import { ErrorText } from "../ErrorText";
import { useNow } from "../useNow";
import { useI18n } from "../../i18n";
import { Attachments } from "../Attachments/Attachments";
import { DropZone, FilePicker, pastedFiles, useUploads } from "../Attachments/FilePicker";

/** moves lists the statuses changeTicketStatus accepts from each status (domain/ticket.go). */
export const moves: Record<TicketStatus, TicketStatus[]> = {
  NEW: ["RESOLVED"],
  ASSIGNED: ["IN_PROGRESS", "PENDING_CUSTOMER", "RESOLVED"],
  IN_PROGRESS: ["PENDING_CUSTOMER", "RESOLVED"],
  PENDING_CUSTOMER: ["IN_PROGRESS", "RESOLVED"],
  REOPENED: ["IN_PROGRESS", "PENDING_CUSTOMER", "RESOLVED"],
  RESOLVED: ["REOPENED", "CLOSED"],
  CLOSED: [],
};

/** newest picks the most recent of several reads of the same ticket; on a tie, the earliest listed. */
function newest(...list: (TicketDetailFragment | null | undefined)[]) {
  let best: TicketDetailFragment | null = null;
  const rank = (x: TicketDetailFragment) => [Date.parse(x.updatedAt), x.noteCount, x.collaborators.length];
  for (const it of list) {
    if (!it) continue;
    if (!best) { best = it; continue; }
    const a = rank(it), b = rank(best);
    const i = a.findIndex((v, k) => v !== b[k]);
    if (i >= 0 && a[i] > b[i]) best = it;
  }
  return best;
}

const key = (what: string) => `${what}-${crypto.randomUUID()}`;

type Props = {
  id: string;
  /** The signed-in agent: "Take it" assigns the ticket to them. */
  agentId: string;
  /** Assigning to someone else or moving an assigned ticket is a reassignment: supervisors and admins only. */
  canReassign?: boolean;
  onClose: () => void;
};

export function TicketView({ id, agentId, canReassign = false, onClose }: Props) {
  const { t, time, duration } = useI18n();
  const now = useNow();
  const [q] = useQuery({ query: TicketViewDocument, variables: { id } });
  const [s] = useSubscription({ query: TicketViewUpdatedDocument, variables: { id } });
  const [assigning, assign] = useMutation(AssignTicketDocument);
  const [changing, change] = useMutation(ChangeTicketStatusDocument);
  const [noting, note] = useMutation(CommentOnTicketDocument);
  const [adding, addCollab] = useMutation(AddCollaboratorDocument);
  const [assignee, setAssignee] = useState("");
  const [to, setTo] = useState<TicketStatus | "">("");
  const [reason, setReason] = useState("");
  const [noteText, setNoteText] = useState("");
  const [dept, setDept] = useState("");
  const [deptAgent, setDeptAgent] = useState("");
  const [due, setDue] = useState("");
  const [deptMissing, setDeptMissing] = useState(false);
  const uploads = useUploads({ kind: "ticket", id });
  // The subscription first: on a tie it is the freshest (it also carries SLA clock changes,
  // which leave updatedAt as it was), whereas the query may be refetched at any time.
  const tk = newest(s.data?.ticketUpdated, q.data?.ticket, assigning.data?.assignTicket.ticket,
    changing.data?.changeTicketStatus.ticket, noting.data?.commentOnTicket.ticket, adding.data?.addCollaborator.ticket);
  if (!tk) return <section class="ticket"><ErrorText error={q.error} />{q.fetching ? <p>{t("app.loading")}</p> : null}</section>;
  const next = moves[tk.status];
  const target = to && next.includes(to) ? to : next[0] ?? "";
  const live = tk.status !== "RESOLVED" && tk.status !== "CLOSED";

  return (
    <section class="ticket" aria-labelledby="ticket-title" data-ticket={tk.id} data-status={tk.status}>
      <header class="row">
        <h2 id="ticket-title">{t("ticket.title", { number: tk.number })}</h2>
        <button type="button" onClick={onClose}>{t("ticket.close")}</button>
      </header>
      <p><strong>{tk.subject}</strong></p>
      {tk.description ? <p>{tk.description}</p> : null}
      <dl class="ticket-facts">
        <dt>{t("ticket.status")}</dt><dd class="ticket-status">{t(`ticketStatus.${tk.status}`)}</dd>
        <dt>{t("ticket.category")}</dt><dd>{t(`ticketCategory.${tk.category}`)}</dd>
        <dt>{t("ticket.priority")}</dt><dd>{t(`priority.${tk.priority}`)}</dd>
        {tk.businessDomain ? <><dt>{t("ticket.domain")}</dt><dd>{tk.businessDomain}</dd></> : null}
        <dt>{t("ticket.assignee")}</dt><dd class="ticket-assignee">{tk.assigneeId ?? t("ticket.unassigned")}</dd>
        <dt>{t("ticket.openedAt")}</dt><dd><time dateTime={tk.openedAt}>{time(tk.openedAt)}</time></dd>
        <dt>{t("ticket.updatedAt")}</dt><dd><time dateTime={tk.updatedAt}>{time(tk.updatedAt)}</time></dd>
        {tk.resolution ? <><dt>{t("ticket.resolution")}</dt><dd>{tk.resolution}</dd></> : null}
      </dl>

      <h3>{t("ticket.sla")}</h3>
      {tk.slaClocks.length ? (
        <ul class="sla-clocks">{tk.slaClocks.map((c) => {
          const left = c.deadline ? (Date.parse(c.deadline) - now) / 1000 : null;
          return (
            <li data-metric={c.metric} data-state={c.state} class={c.breached ? "error" : c.warned ? "warn" : ""}>
              {t(`slaMetric.${c.metric}`)} · {t(`slaState.${c.state}`)}
              {c.state === "RUNNING" && left !== null
                ? <> · {left >= 0 ? t("ticket.slaLeft", { left: duration(left) }) : t("ticket.slaOver", { over: duration(-left) })}</>
                : <> · {t("ticket.slaUsed", { used: duration(c.consumedSeconds), target: duration(c.targetSeconds) })}</>}
              {c.breached ? <> · {t("ticket.slaBreached")}</> : c.warned ? <> · {t("ticket.slaWarned")}</> : null}
            </li>
          );
        })}</ul>
      ) : <p class="muted">{t("ticket.noSla")}</p>}

      {live && (!tk.assigneeId || (canReassign && tk.assigneeId !== agentId)) ? (
        <button type="button" class="take" disabled={assigning.fetching}
          onClick={() => assign({ id, agentId, key: key("take") })}>{t("ticket.take")}</button>
      ) : null}
      {live && canReassign ? (
        <details class="ticket-assign">
          <summary>{t("ticket.assign")}</summary>
          <form onSubmit={(e) => { e.preventDefault(); if (assignee.trim()) assign({ id, agentId: assignee.trim(), key: key("assign") }); }}>
            <label for="ticket-assignee">{t("ticket.assignTo")}</label>
            <input id="ticket-assignee" value={assignee} onInput={(e) => setAssignee(e.currentTarget.value)} />
            <button type="submit" disabled={assigning.fetching || !assignee.trim()}>{t("ticket.assign")}</button>
          </form>
        </details>
      ) : null}
      <ErrorText error={assigning.error} />

      {next.length ? (
        <form class="ticket-move" onSubmit={(e) => {
          e.preventDefault();
          if (!target) return;
          change({ id, status: target, reason: reason.trim() || null, key: key("status") }).then((r) => { if (!r.error) { setReason(""); setTo(""); } });
        }}>
          <label for="ticket-to">{t("ticket.moveTo")}</label>
          <select id="ticket-to" value={target} onChange={(e) => setTo(e.currentTarget.value as TicketStatus)}>
            {next.map((st) => <option value={st}>{t(`ticketStatus.${st}`)}</option>)}
          </select>
          <label for="ticket-reason">{t("ticket.reason")}</label>
          <input id="ticket-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <button type="submit" disabled={changing.fetching}>{t("ticket.change")}</button>
        </form>
      ) : <p class="muted">{t("ticket.noMoves")}</p>}
      <ErrorText error={changing.error} />

      <h3>{t("ticket.notes", { count: tk.noteCount })}</h3>
      {tk.notes.length ? (
        <ol class="ticket-notes">{tk.notes.map((n) => (
          <li key={n.position}>{n.text ? <p>{n.text}</p> : null}<Attachments files={n.attachments} /><small>{n.authorId} · <time dateTime={n.at}>{time(n.at)}</time></small></li>
        ))}</ol>
      ) : <p class="muted">{t("ticket.noNotes")}</p>}
      {tk.status !== "CLOSED" ? (
        <DropZone class="ticket-note-form" uploads={uploads} onSubmit={(e) => {
          e.preventDefault();
          const files = uploads.tokens;
          if ((!noteText.trim() && !files.length) || uploads.busy) return;
          note({ id, text: noteText.trim(), files: files.length ? files : null, key: key("note") })
            .then((r) => { if (!r.error) { setNoteText(""); uploads.sent(files); } });
        }}>
          <label for="ticket-note">{t("ticket.noteLabel")}</label>
          <textarea id="ticket-note" rows={2} value={noteText} onInput={(e) => setNoteText(e.currentTarget.value)}
            onPaste={(e) => { const files = pastedFiles(e); if (files.length) { e.preventDefault(); uploads.add(files); } }} />
          <FilePicker id="ticket-note-files" uploads={uploads} />
          <button type="submit" disabled={noting.fetching || uploads.busy || (!noteText.trim() && !uploads.tokens.length)}>{t("ticket.addNote")}</button>
          {uploads.busy ? <small class="muted"> {t("files.wait")}</small> : null}
          <ErrorText error={noting.error} />
        </DropZone>
      ) : null}

      <h3>{t("ticket.collaborators")}</h3>
      {tk.collaborators.length ? (
        <ul class="ticket-collaborators">{tk.collaborators.map((c) => (
          <li>{c.department}{c.agentId ? ` (${c.agentId})` : ""}{c.dueAt ? ` · ${t("ticket.due", { time: time(c.dueAt) })}` : ""}</li>
        ))}</ul>
      ) : <p class="muted">{t("ticket.noCollaborators")}</p>}
      {tk.status !== "CLOSED" ? (
        <details class="ticket-add-collaborator">
        <summary>{t("ticket.addCollaborator")}</summary>
        <form onSubmit={(e) => {
          e.preventDefault();
          if (!dept.trim()) { setDeptMissing(true); return; }
          setDeptMissing(false);
          addCollab({ id, department: dept.trim(), agentId: deptAgent.trim() || null, dueAt: due ? new Date(due).toISOString() : null, key: key("collab") })
            .then((r) => { if (!r.error) { setDept(""); setDeptAgent(""); setDue(""); } });
        }}>
          <label for="collab-dept">{t("ticket.department")}</label>
          <input id="collab-dept" value={dept} onInput={(e) => setDept(e.currentTarget.value)} aria-invalid={deptMissing} />
          <label for="collab-agent">{t("ticket.collabAgent")}</label>
          <input id="collab-agent" value={deptAgent} onInput={(e) => setDeptAgent(e.currentTarget.value)} />
          <label for="collab-due">{t("ticket.dueAt")}</label>
          <input id="collab-due" type="datetime-local" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
          <button type="submit" disabled={adding.fetching}>{t("ticket.addCollaborator")}</button>
          {deptMissing ? <p class="error" role="alert">{t("ticket.departmentRequired")}</p> : null}
          <ErrorText error={adding.error} />
        </form>
        </details>
      ) : null}
    </section>
  );
}
