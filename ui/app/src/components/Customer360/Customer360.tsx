// Customer360: who the customer is (identities, tier, tags, last CSAT,
// preferred channel), their business context (plan, recent orders,
// devices), their open tickets, and the cross-channel timeline with
// "load more" paging.
import { useEffect, useState } from "preact/hooks";
import { useClient, useQuery } from "@urql/preact";
import { Customer360Document, CustomerTimelineDocument, type CustomerTimelineQuery } from "./customer360.generated";
import { ErrorText } from "../ErrorText";
import { CustomerLinks } from "../CustomerLinks/CustomerLinks";
import { BusinessContext } from "../BusinessContext/BusinessContext";
import { useI18n } from "../../i18n";
import { tierLabel, timelineDetail, timelineKindLabel } from "../../i18n/labels";

// A ticket mutation refreshes the open tickets, even when none were listed.
const ticketTypes = { additionalTypenames: ["Ticket"] };

type Entry = NonNullable<CustomerTimelineQuery["customer"]>["timeline"]["nodes"][number];

export function Customer360({ id, onTicket, canUndoMerge = false }: { id: string; onTicket?: (ticketId: string) => void; canUndoMerge?: boolean }) {
  const { t, time } = useI18n();
  const client = useClient();
  const [q] = useQuery({ query: Customer360Document, variables: { id }, context: ticketTypes });
  const [entries, setEntries] = useState<Entry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  async function load(after: string | null) {
    const r = await client.query(CustomerTimelineDocument, { id, after }).toPromise();
    const page = r.data?.customer?.timeline;
    if (!page) return;
    setEntries((old) => (after ? [...old, ...page.nodes] : page.nodes));
    setCursor(page.pageInfo.endCursor ?? null);
    setMore(page.pageInfo.hasNextPage);
  }
  useEffect(() => { setEntries([]); load(null); }, [id]);
  const c = q.data?.customer;
  if (!c) return <aside class="c360"><ErrorText error={q.error} /></aside>;
  return (
    <aside class="c360" aria-labelledby="c360-title">
      <h2 id="c360-title">{t("customer.title")}: {c.displayName || c.identities[0]?.value || c.id}</h2>
      <dl>
        <dt>{t("customer.tier")}</dt><dd class="c360-tier" data-tier={c.tier}>{tierLabel(t, c.tier)}</dd>
        <dt>{t("customer.tags")}</dt><dd>{c.tags.join(", ") || "—"}</dd>
      </dl>
      <CustomerLinks id={c.id} canUndoMerge={canUndoMerge} />
      <BusinessContext context={c.businessContext} />
      <h3>{t("customer.openTickets")}</h3>
      {c.openTickets.length ? (
        <ul class="open-tickets">{c.openTickets.map((tk) => <li data-ticket={tk.id}>
          <a href={`#ticket-${tk.id}`} onClick={(e) => { e.preventDefault(); onTicket?.(tk.id); }}>{tk.number}</a>
          {" · "}{tk.subject} · {t(`ticketStatus.${tk.status}`)}</li>)}</ul>
      ) : <p class="muted">{t("customer.noTickets")}</p>}
      <h3>{t("customer.timeline")}</h3>
      <ol class="timeline">
        {entries.map((e) => <TimelineItem key={e.position} e={e} />)}
      </ol>
      {more ? <button type="button" onClick={() => load(cursor)}>{t("customer.more")}</button> : null}
    </aside>
  );
}

/** TimelineItem: one entry, its kind and generated lines in the reader's language. */
function TimelineItem({ e }: { e: Entry }) {
  const { t, time, duration } = useI18n();
  const detail = timelineDetail(t, duration, e);
  return (
    <li data-kind={e.kind}><time dateTime={e.at}>{time(e.at)}</time> <span class="tl-kind">{timelineKindLabel(t, e)}</span>
      {detail ? `: ${detail}` : ""}</li>
  );
}
