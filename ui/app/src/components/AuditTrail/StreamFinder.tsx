// StreamFinder: the auditor's way in. One box takes whatever the auditor
// was given (a ticket number, a ticket, interaction or customer id, a
// phone number or an email address) and lists the streams that record it,
// each a button that opens that stream's trail.
import { useState } from "preact/hooks";
import { useClient } from "@urql/preact";
import { CombinedError } from "@urql/core";
import {
  AuditCustomerStreamsDocument, AuditFindDocument,
  type AuditCustomerStreamsQuery, type AuditFindQuery, type AuditTicketStreamsFragment,
} from "./audit.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

type Show = (stream: string) => void;
type Found = AuditFindQuery;
type CustomerStreams = AuditCustomerStreamsQuery;

/** streamPrefixes are the categories an auditor may paste with the id. */
const streamPrefixes = ["customer-", "interaction-", "ticket-", "sla-"];

/** idOf is the id inside a pasted stream name, else the text itself. */
function idOf(q: string) {
  const p = streamPrefixes.find((p) => q.startsWith(p));
  return p ? q.slice(p.length) : q;
}

/**
 * meaningful drops the NOT_FOUND errors of the lookup's fields: each field
 * tries one reading of the text, and a reading that finds nothing is not a
 * failure. Any other error is kept to be shown.
 */
function meaningful(err: CombinedError | undefined) {
  const rest = err?.graphQLErrors.filter((e) => e.extensions?.code !== "NOT_FOUND") ?? [];
  if (!err || (!rest.length && !err.networkError)) return undefined;
  return new CombinedError({ graphQLErrors: rest, networkError: err.networkError });
}

function nothingFound(f: Found) {
  return !f.ticketByNumber && !f.ticket && !f.interaction && !f.customers.nodes.length;
}

export function StreamFinder({ onShow }: { onShow: Show }) {
  const { t } = useI18n();
  const client = useClient();
  const [text, setText] = useState("");
  const [asked, setAsked] = useState("");
  const [found, setFound] = useState<Found | null>(null);
  const [streams, setStreams] = useState<CustomerStreams | null>(null);
  const [error, setError] = useState<CombinedError | undefined>(undefined);

  async function loadCustomer(id: string) {
    const r = await client.query(AuditCustomerStreamsDocument, { id }, { requestPolicy: "network-only" }).toPromise();
    setError(r.error);
    setStreams(r.data ?? null);
  }
  async function find(q: string) {
    setStreams(null);
    const r = await client.query(AuditFindDocument, { q, id: idOf(q) }, { requestPolicy: "network-only" }).toPromise();
    setError(meaningful(r.error));
    setAsked(q);
    const f = r.data ?? null;
    setFound(f);
    // One customer to look at: show their streams at once.
    const only = f?.interaction?.customer.id ?? (f?.customers.nodes.length === 1 ? f.customers.nodes[0].id : null);
    if (only && !f?.ticketByNumber && !f?.ticket) await loadCustomer(only);
  }
  const tk = found?.ticketByNumber ?? found?.ticket ?? null;
  return (
    <>
      <form class="row" onSubmit={(e) => { e.preventDefault(); if (text.trim()) find(text.trim()); }}>
        <label for="audit-find">{t("audit.find")}</label>
        <input id="audit-find" value={text} placeholder={t("audit.findHint")} aria-describedby="audit-find-help"
          onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">{t("audit.findTicketButton")}</button>
      </form>
      <p id="audit-find-help" class="muted">{t("audit.findHelp")}</p>
      <ErrorText error={error} />
      {found && nothingFound(found) ? <p role="status" class="audit-nothing">{t("audit.nothingFound", { q: asked })}</p> : null}
      {tk ? <TicketStreams tk={tk} onShow={onShow} /> : null}
      {found?.interaction ? <InteractionStreams i={found.interaction} tickets={streams?.tickets.nodes ?? []} onShow={onShow} /> : null}
      {found && !found.interaction && found.customers.nodes.length > 1 ? (
        <nav aria-label={t("audit.customersFound")} class="audit-customers">
          <ul class="row">{found.customers.nodes.map((c) => (
            <li><button type="button" aria-pressed={streams?.customer?.id === c.id} onClick={() => loadCustomer(c.id)}>
              {t("audit.customerPick", { name: c.displayName, id: c.id })}</button></li>
          ))}</ul>
        </nav>
      ) : null}
      {streams?.customer ? <CustomerStreamList s={streams} onShow={onShow} /> : null}
    </>
  );
}

function StreamButton({ stream, label, onShow }: { stream: string; label: string; onShow: Show }) {
  return <li><button type="button" data-stream={stream} onClick={() => onShow(stream)}>{label}: {stream}</button></li>;
}

/** TicketStreams: a ticket, its SLA clocks, its customer and its interactions. */
function TicketStreams({ tk, onShow }: { tk: AuditTicketStreamsFragment; onShow: Show }) {
  const { t } = useI18n();
  return (
    <nav aria-label={t("audit.streamsOfTicket", { number: tk.number })} class="audit-streams audit-ticket-streams">
      <ul class="row">
        <StreamButton stream={`ticket-${tk.id}`} label={t("audit.ticketStream")} onShow={onShow} />
        <StreamButton stream={`sla-${tk.id}`} label={t("audit.slaStream")} onShow={onShow} />
        <StreamButton stream={`customer-${tk.customer.id}`} label={t("audit.customerStream")} onShow={onShow} />
        {tk.interactions.map((i) => <StreamButton stream={`interaction-${i.id}`} label={t("audit.interactionStreamLabel")} onShow={onShow} />)}
      </ul>
    </nav>
  );
}

/** InteractionStreams: an interaction, its customer and the tickets opened from it. */
function InteractionStreams({ i, tickets, onShow }: {
  i: NonNullable<Found["interaction"]>; tickets: CustomerStreams["tickets"]["nodes"]; onShow: Show;
}) {
  const { t } = useI18n();
  const own = tickets.filter((tk) => tk.interactions.some((x) => x.id === i.id));
  return (
    <nav aria-label={t("audit.streamsOfInteraction", { id: i.id })} class="audit-streams audit-interaction-streams">
      <ul class="row">
        <StreamButton stream={`interaction-${i.id}`} label={t("audit.interactionItself", { channel: t(`channel.${i.channel}`) })} onShow={onShow} />
        <StreamButton stream={`customer-${i.customer.id}`} label={t("audit.customerStream")} onShow={onShow} />
        {own.flatMap((tk) => [
          <StreamButton stream={`ticket-${tk.id}`} label={t("audit.ticketOf", { number: tk.number })} onShow={onShow} />,
          <StreamButton stream={`sla-${tk.id}`} label={t("audit.slaOf", { number: tk.number })} onShow={onShow} />,
        ])}
      </ul>
    </nav>
  );
}

/** CustomerStreamList: a customer, those merged into them, their interactions and tickets. */
function CustomerStreamList({ s, onShow }: { s: CustomerStreams; onShow: Show }) {
  const { t, time } = useI18n();
  const c = s.customer!;
  return (
    <nav aria-label={t("audit.streamsOfCustomer", { name: c.displayName })} class="audit-streams audit-customer-streams">
      <ul class="row">
        <StreamButton stream={`customer-${c.id}`} label={t("audit.customerItself", { name: c.displayName })} onShow={onShow} />
        {c.mergedFrom.map((id) => <StreamButton stream={`customer-${id}`} label={t("audit.mergedCustomer")} onShow={onShow} />)}
        {c.interactions.nodes.map((i) => (
          <StreamButton stream={`interaction-${i.id}`} label={t("audit.interactionOf", { channel: t(`channel.${i.channel}`), time: time(i.startedAt) })} onShow={onShow} />
        ))}
        {s.tickets.nodes.flatMap((tk) => [
          <StreamButton stream={`ticket-${tk.id}`} label={t("audit.ticketOf", { number: tk.number })} onShow={onShow} />,
          <StreamButton stream={`sla-${tk.id}`} label={t("audit.slaOf", { number: tk.number })} onShow={onShow} />,
        ])}
      </ul>
    </nav>
  );
}
