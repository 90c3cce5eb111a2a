// Conversation: one interaction's history in both directions, kept live by
// interactionUpdated; a reply box on written channels; close with an
// outcome and a summary.
import { useEffect, useRef, useState } from "preact/hooks";
import { useMutation, useQuery, useSubscription } from "@urql/preact";
import {
  CloseInteractionDocument, ConversationDocument, ConversationUpdatedDocument, ReplyDocument,
  type ConversationDetailFragment,
} from "./conversation.generated";
import type { Disposition } from "../../graphql/types.generated";
import { ChannelIcon, writtenChannels } from "../channelIcon";
import { ErrorText } from "../ErrorText";
import { DeliveryState } from "../DeliveryState/DeliveryState";
import { useI18n } from "../../i18n";

const dispositions: Disposition[] = ["RESOLVED", "FOLLOW_UP", "ESCALATED", "NO_ACTION", "SPAM"];

/** deliveryProgress only grows as the replies' delivery attempts are recorded. */
function deliveryProgress(x: ConversationDetailFragment) {
  return x.messages.reduce((n, m) => n + (m.delivery ? 2 * m.delivery.attempts + (m.delivery.state === "DELIVERED" || m.delivery.state === "FAILED" ? 1 : 0) : 0), 0);
}

/** newest picks the most recent of several reads of the same interaction. */
function newest(...list: (ConversationDetailFragment | null | undefined)[]) {
  let best: ConversationDetailFragment | null = null;
  for (const it of list) {
    if (!it) continue;
    const last = (x: ConversationDetailFragment) => x.messages.at(-1)?.position ?? 0;
    if (!best || last(it) > last(best) || (last(it) === last(best) && it.status !== best.status && it.status === "CLOSED")) best = it;
    // Same messages: the read that saw more delivery attempts is newer.
    else if (last(it) === last(best) && it.status === best.status && deliveryProgress(it) > deliveryProgress(best)) best = it;
  }
  return best;
}

export function Conversation({ id, onCustomer }: { id: string; onCustomer: (id: string) => void }) {
  const { t, time } = useI18n();
  const [q] = useQuery({ query: ConversationDocument, variables: { id } });
  const [s] = useSubscription({ query: ConversationUpdatedDocument, variables: { id } });
  const [reply, sendReply] = useMutation(ReplyDocument);
  const [closing, close] = useMutation(CloseInteractionDocument);
  const [text, setText] = useState("");
  const [disposition, setDisposition] = useState<Disposition>("RESOLVED");
  const [summary, setSummary] = useState("");
  const it = newest(q.data?.interaction, s.data?.interactionUpdated, reply.data?.replyToInteraction.interaction,
    closing.data?.closeInteraction.interaction);
  const customerId = it?.customer.id;
  useEffect(() => { if (customerId) onCustomer(customerId); }, [customerId]);
  const end = useRef<HTMLLIElement>(null);
  const count = it?.messages.length ?? 0;
  useEffect(() => { end.current?.scrollIntoView?.({ block: "nearest" }); }, [count]);

  if (!it) return <section class="conversation"><ErrorText error={q.error} />{q.fetching ? <p>{t("app.loading")}</p> : null}</section>;
  const open = it.status !== "CLOSED" && it.status !== "ABANDONED";

  async function submitReply(e: Event) {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    const r = await sendReply({ id, text: body, key: `reply-${id}-${crypto.randomUUID()}` });
    if (!r.error) setText("");
  }

  return (
    <section class="conversation" aria-labelledby="conv-title">
      <header>
        <h2 id="conv-title"><ChannelIcon channel={it.channel} /> {it.customer.displayName || it.identity.value}</h2>
        <p class="muted">{it.subject ? `${it.subject} · ` : ""}{t("conversation.status", { status: t(`status.${it.status}`) })}</p>
      </header>
      <ol class="messages" aria-live="polite" aria-label={t("conversation.reply")}>
        {it.messages.map((m) => (
          <li key={m.id} class={`msg msg-${m.direction}`} data-direction={m.direction}>
            <span class="sr-only">{t(`conversation.from.${m.direction}`)}: </span>
            <p class="text">{m.text}</p>
            {m.attachments.map((a) => <p class="att">📎 {t("conversation.attachment", { name: a.name, size: `${a.size} B` })}</p>)}
            <small>
              <time dateTime={m.at}>{time(m.at)}</time>
              {m.direction === "OUT" ? <> · {t("conversation.sent")}</> : null}
              {m.delivery ? <> · <DeliveryState delivery={m.delivery} /></> : null}
            </small>
          </li>
        ))}
        <li ref={end} class="end" aria-hidden="true" />
      </ol>
      {!open ? <p class="muted" role="status">{t("conversation.closed")}
        {it.disposition ? ` ${t(`disposition.${it.disposition}`)}` : ""}{it.summary ? ` — ${it.summary}` : ""}</p> : null}
      {open && writtenChannels.includes(it.channel) ? (
        <form class="reply" onSubmit={submitReply}>
          <label for="reply-text">{t("conversation.replyLabel")}</label>
          <textarea id="reply-text" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submitReply(e); }} />
          <button type="submit" disabled={reply.fetching || !text.trim()}>
            {reply.fetching ? t("conversation.sending") : t("conversation.send")}
          </button>
          <ErrorText error={reply.error} />
        </form>
      ) : open ? <p class="muted">{t("conversation.noReply")}</p> : null}
      {open ? (
        <details class="close">
          <summary>{t("conversation.close")}</summary>
          <form onSubmit={(e) => { e.preventDefault(); close({ id, disposition, summary: summary.trim() || null }); }}>
            <label for="close-disposition">{t("conversation.disposition")}</label>
            <select id="close-disposition" value={disposition} onChange={(e) => setDisposition(e.currentTarget.value as Disposition)}>
              {dispositions.map((d) => <option value={d}>{t(`disposition.${d}`)}</option>)}
            </select>
            <label for="close-summary">{t("conversation.summary")}</label>
            <textarea id="close-summary" rows={2} value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />
            <button type="submit" disabled={closing.fetching}>{t("conversation.closeButton")}</button>
            <ErrorText error={closing.error} />
          </form>
        </details>
      ) : null}
    </section>
  );
}
