// OpenTicket: open a ticket for the conversation's customer, linked to the
// conversation (category, priority, business domain, subject, description).
import { useState } from "preact/hooks";
import { useMutation } from "@urql/preact";
import { OpenTicketDocument } from "./openTicket.generated";
import type { Priority, TicketCategory } from "../../graphql/types.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

const categories: TicketCategory[] = ["INQUIRY", "COMPLAINT", "SUGGESTION", "FAULT_REPORT"];
const priorities: Priority[] = ["NORMAL", "URGENT", "CRITICAL"];

type Props = { customerId: string; interactionId: string; onOpened: (ticketId: string) => void };

export function OpenTicket({ customerId, interactionId, onOpened }: Props) {
  const { t } = useI18n();
  const [res, open] = useMutation(OpenTicketDocument);
  const [category, setCategory] = useState<TicketCategory>("INQUIRY");
  const [priority, setPriority] = useState<Priority>("NORMAL");
  const [domain, setDomain] = useState("");
  const [subject, setSubject] = useState("");
  const [description, setDescription] = useState("");
  const [missing, setMissing] = useState(false);
  // One key per ticket being written: a retried submit opens the same ticket.
  const [idem, setIdem] = useState(() => `ticket-${crypto.randomUUID()}`);

  async function submit(e: Event) {
    e.preventDefault();
    if (!subject.trim()) { setMissing(true); return; }
    setMissing(false);
    const r = await open({
      customerId, interactionId, category, priority, subject: subject.trim(),
      description: description.trim() || null, businessDomain: domain.trim() || null, key: idem,
    });
    const tk = r.data?.openTicket.ticket;
    if (!r.error && tk) {
      setSubject(""); setDescription(""); setDomain("");
      setIdem(`ticket-${crypto.randomUUID()}`);
      onOpened(tk.id);
    }
  }

  const opened = res.data?.openTicket.ticket;
  return (
    <details class="open-ticket">
      <summary>{t("ticket.open")}</summary>
      <form onSubmit={submit}>
        <label for="ticket-category">{t("ticket.category")}</label>
        <select id="ticket-category" value={category} onChange={(e) => setCategory(e.currentTarget.value as TicketCategory)}>
          {categories.map((c) => <option value={c}>{t(`ticketCategory.${c}`)}</option>)}
        </select>
        <label for="ticket-priority">{t("ticket.priority")}</label>
        <select id="ticket-priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value as Priority)}>
          {priorities.map((p) => <option value={p}>{t(`priority.${p}`)}</option>)}
        </select>
        <label for="ticket-domain">{t("ticket.domain")}</label>
        <input id="ticket-domain" value={domain} onInput={(e) => setDomain(e.currentTarget.value)} />
        <label for="ticket-subject">{t("ticket.subject")}</label>
        <input id="ticket-subject" value={subject} required aria-invalid={missing} onInput={(e) => setSubject(e.currentTarget.value)} />
        <label for="ticket-description">{t("ticket.description")}</label>
        <textarea id="ticket-description" rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        <button type="submit" disabled={res.fetching}>{res.fetching ? t("ticket.opening") : t("ticket.openButton")}</button>
        {missing ? <p class="error" role="alert">{t("ticket.subjectRequired")}</p> : null}
        <ErrorText error={res.error} />
        {opened && !res.error ? <p role="status" class="ok">{t("ticket.opened", { number: opened.number })}</p> : null}
      </form>
    </details>
  );
}
