// Conversation: one interaction's history in both directions, kept live by
// interactionUpdated; a reply box on written channels with the suggested
// replies under it (ReplySuggestions: a template inserted is remembered and
// named when the reply is sent); close with an outcome and a summary, the
// summary drafted from the conversation when the form opens. Files come
// with messages in both directions (Attachments); the agent attaches files
// to a reply through the picker, by dropping them on the reply box or by
// pasting an image, and a reply may be files alone.
import { useEffect, useRef, useState } from "preact/hooks";
import { useClient, useMutation, useQuery, useSubscription } from "@urql/preact";
import {
  CloseInteractionDocument, ConversationDocument, ConversationUpdatedDocument, ReplyDocument, SummaryDraftDocument,
  type ConversationDetailFragment,
} from "./conversation.generated";
import { ReplySuggestions, shortcutHintId, type TemplateUse } from "../ReplySuggestions/ReplySuggestions";
import type { Disposition } from "../../graphql/types.generated";
import { ChannelIcon, fileChannels, writtenChannels } from "../channelIcon";
import { ErrorText } from "../ErrorText";
import { DeliveryState } from "../DeliveryState/DeliveryState";
import { useI18n } from "../../i18n";
import { IdentityNote } from "../IdentityNote/IdentityNote";
import { Attachments } from "../Attachments/Attachments";
import { DropZone, FilePicker, pastedFiles, useUploads } from "../Attachments/FilePicker";

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
  // The template the reply box's text was inserted from, until the box is
  // emptied or the reply sent; and the draft suggestions are asked for
  // (the agent's own words: not a template's text, nor edits of it).
  const [template, setTemplate] = useState<TemplateUse | null>(null);
  const [suggestFor, setSuggestFor] = useState("");
  const box = useRef<HTMLTextAreaElement>(null);
  const inserting = useRef(false);
  // The drafted summary offered in the closing form (null: none was).
  const [offered, setOffered] = useState<string | null>(null);
  const [drafting, setDrafting] = useState(false);
  const summaryNow = useRef({ summary, offered });
  summaryNow.current = { summary, offered };
  const client = useClient();
  const uploads = useUploads({ kind: "interaction", id });
  const it = newest(q.data?.interaction, s.data?.interactionUpdated, reply.data?.replyToInteraction.interaction,
    closing.data?.closeInteraction.interaction);
  const customerId = it?.customer.id;
  useEffect(() => { if (customerId) onCustomer(customerId); }, [customerId]);
  const end = useRef<HTMLLIElement>(null);
  const count = it?.messages.length ?? 0;
  useEffect(() => { end.current?.scrollIntoView?.({ block: "nearest" }); }, [count]);
  // The customer's newest message: suggestions are asked again when it changes.
  const lastIn = it ? it.messages.filter((m) => m.direction === "IN").at(-1)?.id ?? "" : "";

  if (!it) return <section class="conversation"><ErrorText error={q.error} />{q.fetching ? <p>{t("app.loading")}</p> : null}</section>;
  const open = it.status !== "CLOSED" && it.status !== "ABANDONED";

  async function submitReply(e: Event) {
    e.preventDefault();
    const body = text.trim();
    const files = uploads.tokens;
    if ((!body && !files.length) || uploads.busy) return;
    const r = await sendReply({ id, text: body, key: `reply-${id}-${crypto.randomUUID()}`,
      template: template ? { id: template.id, version: template.version } : null, files: files.length ? files : null });
    if (!r.error) { setText(""); setTemplate(null); setSuggestFor(""); uploads.sent(files); }
  }

  function typed(value: string) {
    setText(value);
    if (inserting.current) return;
    if (!value.trim()) { setTemplate(null); setSuggestFor(""); } // emptied: the template is forgotten
    else if (!template) setSuggestFor(value);
  }

  // insert puts a template's text in the reply box in place of what was
  // there (the agent's words were what found it; Ctrl+Z brings them back),
  // focuses the box and selects the first variable left to fill, so typing
  // replaces it.
  function insert(filled: string, use: TemplateUse) {
    const ta = box.current;
    if (!ta) return;
    ta.focus();
    ta.select();
    inserting.current = true;
    // insertText keeps the browser's undo history, unlike setting the value.
    const done = document.execCommand("insertText", false, filled) && ta.value === filled;
    inserting.current = false;
    if (!done) ta.value = filled;
    setText(filled);
    setTemplate(use);
    const hole = /\{\{[^{}]*\}\}/.exec(filled);
    if (hole) ta.setSelectionRange(hole.index, hole.index + hole[0].length);
    else ta.setSelectionRange(filled.length, filled.length);
  }

  // The closing form drafts the summary when it opens: the draft fills the
  // field unless the agent has written their own there.
  async function closeFormToggled(e: Event) {
    if (!(e.currentTarget as HTMLDetailsElement).open) return;
    setDrafting(true);
    const r = await client.query(SummaryDraftDocument, { id }, { requestPolicy: "network-only" }).toPromise();
    setDrafting(false);
    const draft = r.data?.interaction?.summaryDraft?.trim();
    if (!draft) return;
    const now = summaryNow.current;
    if (now.summary.trim() === "" || now.summary === now.offered) {
      setSummary(draft);
      setOffered(draft);
    }
  }

  return (
    <section class={open && writtenChannels.includes(it.channel) ? "conversation with-kb" : "conversation"} aria-labelledby="conv-title">
      <header>
        <h2 id="conv-title"><ChannelIcon channel={it.channel} /> {it.customer.displayName || it.identity.value}</h2>
        <p class="muted">{it.subject ? `${it.subject} · ` : ""}{t("conversation.status", { status: t(`status.${it.status}`) })}</p>
        <IdentityNote check={it.identityCheck} />
      </header>
      <ol class="messages" aria-live="polite" aria-label={t("conversation.reply")}>
        {it.messages.map((m) => (
          <li key={m.id} class={`msg msg-${m.direction}`} data-direction={m.direction}>
            <span class="sr-only">{t(`conversation.from.${m.direction}`)}: </span>
            <p class="text">{m.text}</p>
            <Attachments files={m.attachments} />
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
        <>
          <DropZone class="reply" uploads={uploads} disabled={!fileChannels.includes(it.channel)} onSubmit={submitReply}>
            <label for="reply-text">{t("conversation.replyLabel")}</label>
            <textarea id="reply-text" ref={box} rows={3} value={text} aria-describedby={shortcutHintId}
              onInput={(e) => typed(e.currentTarget.value)}
              onPaste={(e) => {
                if (!fileChannels.includes(it.channel)) return;
                const files = pastedFiles(e);
                if (files.length) { e.preventDefault(); uploads.add(files); }
              }}
              onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submitReply(e); }} />
            {fileChannels.includes(it.channel) ? <FilePicker id="reply-files" uploads={uploads} /> : null}
            <div class="row reply-actions">
              <button type="submit" disabled={reply.fetching || uploads.busy || (!text.trim() && !uploads.tokens.length)}>
                {reply.fetching ? t("conversation.sending") : t("conversation.send")}
              </button>
              {template ? <small class="muted from-template" data-template={template.id}>
                {t("knowledge.fromTemplate", { title: template.title, version: template.version })}</small> : null}
              {uploads.busy ? <small class="muted">{t("files.wait")}</small> : null}
            </div>
            <ErrorText error={reply.error} />
          </DropZone>
          <ReplySuggestions interactionId={id} channel={it.channel} draft={suggestFor} trigger={lastIn}
            replyBox="reply-text" onInsert={insert} />
        </>
      ) : open ? <p class="muted">{t("conversation.noReply")}</p> : null}
      {open ? (
        <details class="close" onToggle={closeFormToggled}>
          <summary>{t("conversation.close")}</summary>
          <form onSubmit={(e) => { e.preventDefault(); close({ id, disposition, summary: summary.trim() || null, draftSummary: offered }); }}>
            <label for="close-disposition">{t("conversation.disposition")}</label>
            <select id="close-disposition" value={disposition} onChange={(e) => setDisposition(e.currentTarget.value as Disposition)}>
              {dispositions.map((d) => <option value={d}>{t(`disposition.${d}`)}</option>)}
            </select>
            <label for="close-summary">{t("conversation.summary")}</label>
            <textarea id="close-summary" rows={3} value={summary} aria-describedby="close-summary-note"
              onInput={(e) => setSummary(e.currentTarget.value)} />
            <p id="close-summary-note" class="muted note" aria-live="polite">
              {drafting ? t("conversation.summaryDrafting") : offered !== null && summary === offered ? t("conversation.summaryDrafted") : ""}
            </p>
            <button type="submit" disabled={closing.fetching}>{t("conversation.closeButton")}</button>
            <ErrorText error={closing.error} />
          </form>
        </details>
      ) : null}
    </section>
  );
}
