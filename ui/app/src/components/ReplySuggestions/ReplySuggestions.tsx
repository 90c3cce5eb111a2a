// ReplySuggestions: the knowledge panel under the reply box. It asks
// suggestReplies when the conversation opens, when the customer writes again
// and, debounced, as the agent types (a stale request is cancelled; the list
// shown stays until the next one arrives, so nothing flashes). Templates
// come filled for the interaction (variables without a value stay {{name}},
// marked); Alt+1…Alt+3 (or the buttons) insert one. Articles open in place,
// their Markdown rendered safely; a search box finds anything else in the
// knowledge base for the interaction's channel.
import { useEffect, useRef, useState } from "preact/hooks";
import { useClient } from "@urql/preact";
import type { CombinedError } from "@urql/core";
import {
  SearchKnowledgeDocument, SuggestRepliesDocument,
  type SuggestRepliesQuery, type SuggestedHitFragment,
} from "./suggestions.generated";
import type { Channel } from "../../graphql/types.generated";
import type { MessageKey } from "../../i18n/en";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

/** The template a reply is written from: replyToInteraction's `template`. */
export type TemplateUse = { id: string; version: number; title: string };

/** How many templates are suggested, and so how many Alt+N shortcuts there are. */
export const shortcutCount = 3;
/** The debounce of the re-query as the agent types, in milliseconds. */
const typingDelay = 275;

type Suggestions = SuggestRepliesQuery["suggestReplies"];
type Insert = (text: string, use: TemplateUse) => void;

/**
 * The element whose id the reply box names in aria-describedby: the panel's
 * hint of the shortcuts.
 */
export const shortcutHintId = "kb-hint";

export function ReplySuggestions({ interactionId, channel, draft, trigger, replyBox, onInsert }: {
  interactionId: string;
  channel: Channel;
  /** The agent's draft as it stands for suggestions (not a template's text). */
  draft: string;
  /** Changes when the customer writes again: ask at once. */
  trigger: string;
  /** The reply box's id: Alt+N works there, in the panel and outside any other field. */
  replyBox: string;
  onInsert: Insert;
}) {
  const { t } = useI18n();
  const client = useClient();
  const [list, setList] = useState<Suggestions | null>(null);
  const [error, setError] = useState<CombinedError | undefined>();
  const [pending, setPending] = useState(false);
  const lastTrigger = useRef<string | null>(null);

  useEffect(() => {
    const immediate = lastTrigger.current !== trigger;
    lastTrigger.current = trigger;
    let live = true;
    let sub: { unsubscribe: () => void } | null = null;
    const timer = setTimeout(() => {
      setPending(true);
      sub = client.query(SuggestRepliesDocument, { id: interactionId, draft: draft.trim() || null, first: shortcutCount },
        { requestPolicy: "network-only" }).subscribe((r) => {
        if (!live || r.stale) return;
        setPending(false);
        setError(r.error);
        if (r.data) setList(r.data.suggestReplies);
      });
    }, immediate ? 0 : typingDelay);
    // A newer draft or message supersedes this request: unsubscribing
    // tears the operation down, which aborts its fetch.
    return () => { live = false; clearTimeout(timer); sub?.unsubscribe(); };
  }, [interactionId, draft, trigger]);

  const templates = list?.templates ?? [];
  const panel = useRef<HTMLDivElement>(null);
  const current = useRef(templates);
  current.current = templates;
  const insert = useRef(onInsert);
  insert.current = onInsert;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.isComposing) return;
      // e.code, not e.key: Option+1 on a Mac types "¡".
      const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
      const n = m ? Number(m[1]) : 0;
      if (n < 1 || n > shortcutCount) return;
      const el = e.target instanceof HTMLElement ? e.target : null;
      // Another form's field (the closing summary, a ticket) keeps its keys.
      if (el && el.id !== replyBox && !panel.current?.contains(el) && el.matches("input, textarea, select, [contenteditable]")) return;
      const tpl = current.current[n - 1];
      if (!tpl) return;
      e.preventDefault();
      insert.current(tpl.text, { id: tpl.template.id, version: tpl.template.version, title: tpl.template.title });
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [replyBox]);

  const articles = list?.articles ?? [];
  return (
    <div class="knowledge" role="region" aria-labelledby="kb-title" ref={panel}>
      <h3 id="kb-title">{t("knowledge.title")}</h3>
      <p id={shortcutHintId} class="muted hint">{t("knowledge.hint")}</p>
      <p class="sr-only" role="status" aria-live="polite">
        {list ? t("knowledge.count", { templates: templates.length, articles: articles.length }) : ""}
      </p>
      <ErrorText error={error} />
      {!list ? <p class="muted">{pending ? t("knowledge.loading") : ""}</p> : null}
      {list && !templates.length ? <p class="muted">{t("knowledge.none")}</p> : null}
      {templates.length ? (
        <ol class="kb-list kb-templates" aria-label={t("knowledge.templates")} aria-busy={pending ? "true" : "false"}>
          {templates.map((s, i) => (
            <li key={s.template.id} class="kb-item" data-template={s.template.id}>
              <div class="kb-head">
                <kbd aria-hidden="true">Alt+{i + 1}</kbd>
                <span class="kb-title">{s.template.title}</span>
                <button type="button" class="small" aria-keyshortcuts={`Alt+${i + 1}`}
                  aria-label={t("knowledge.insertLabel", { n: i + 1, title: s.template.title })}
                  onClick={() => onInsert(s.text, { id: s.template.id, version: s.template.version, title: s.template.title })}>
                  {t("knowledge.insert")}
                </button>
              </div>
              <p class="kb-text"><FilledText text={s.text} /></p>
              {s.missingVariables.length ? (
                <p class="kb-missing">{t("knowledge.missing", { names: s.missingVariables.map((v) => variableName(t, v)).join(t("knowledge.separator")) })}</p>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
      {articles.length ? (
        <>
          <h4 class="kb-subtitle">{t("knowledge.articles")}</h4>
          <ul class="kb-list kb-articles">
            {articles.map((a) => <li key={a.id} class="kb-item" data-article={a.id}><Article hit={a} /></li>)}
          </ul>
        </>
      ) : null}
      <KnowledgeSearch channel={channel} onInsert={onInsert} />
    </div>
  );
}

/** variableName labels a template variable, falling back to its name. */
function variableName(t: ReturnType<typeof useI18n>["t"], name: string) {
  const key = `knowledge.var.${name}` as MessageKey;
  const label = t(key);
  return label === key ? name : label;
}

/** FilledText shows a template's text, the variables still to fill marked. */
export function FilledText({ text }: { text: string }) {
  const { t } = useI18n();
  return (
    <>
      {text.split(/(\{\{[^{}]*\}\})/).map((part, i) =>
        i % 2 ? <mark key={i} class="placeholder"><span class="sr-only">{t("knowledge.missingMark")} </span>{part}</mark> : part)}
    </>
  );
}

/** Snippet shows a hit's snippet, the words found highlighted (text only, never markup). */
function Snippet({ parts }: { parts: SuggestedHitFragment["snippetParts"] }) {
  return <>{readable(parts).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : p.text))}</>;
}

const markStart = "\uE000", markEnd = "\uE001";

/**
 * readable drops the Markdown syntax an article's snippet carries (it is cut
 * from the source): headings' #, list markers, emphasis, a link's address
 * (its text stays). The parts are joined with private-use marks around the
 * words found, cleaned as one text, and cut again at the marks.
 */
export function readable(parts: SuggestedHitFragment["snippetParts"]) {
  const text = parts.map((p) => (p.match ? markStart + p.text + markEnd : p.text)).join("")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(^|\s)#{1,6}\s+/g, "$1")
    .replace(/(^|\n)\s*(?:[-*+]|\d+\.)\s+/g, "$1")
    .replace(/(^|\s)[-*+]\s+/g, "$1")
    .replace(/\*\*|__|`+/g, "");
  const out: { text: string; match: boolean }[] = [];
  let cur = "", match = false;
  for (const ch of text) {
    if (ch !== markStart && ch !== markEnd) { cur += ch; continue; }
    if (cur) out.push({ text: cur, match });
    cur = "";
    match = ch === markStart;
  }
  if (cur) out.push({ text: cur, match });
  return out;
}

/** Article is a hit's title, which opens its body in place, and its snippet. */
function Article({ hit }: { hit: SuggestedHitFragment }) {
  const [open, setOpen] = useState(false);
  const body = `kb-body-${hit.id}`;
  return (
    <>
      <button type="button" class="kb-open" aria-expanded={open ? "true" : "false"} aria-controls={body} onClick={() => setOpen(!open)}>
        {hit.title}
      </button>
      {hit.snippetParts.length ? <p class="kb-snippet"><Snippet parts={hit.snippetParts} /></p> : null}
      {open ? <ArticleBody id={body} title={hit.title} markdown={hit.body} /> : null}
    </>
  );
}

/** ArticleBody renders an article's Markdown (the renderer loads on first use). */
function ArticleBody({ id, title, markdown }: { id: string; title: string; markdown: string }) {
  const { t } = useI18n();
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    import("./markdown").then((m) => { if (live) setHtml(m.renderMarkdown(markdown)); });
    return () => { live = false; };
  }, [markdown]);
  // Focusable: it scrolls, and a keyboard user must be able to scroll it.
  return (
    <div id={id} class="kb-article" role="region" aria-label={t("knowledge.articleBody", { title })} tabIndex={0}>
      {html === null ? <p class="muted">{t("knowledge.rendering")}</p>
        // Safe: markdown-it with html off; see markdown.ts.
        : <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />}
    </div>
  );
}

/** KnowledgeSearch searches the knowledge base for the interaction's channel. */
function KnowledgeSearch({ channel, onInsert }: { channel: Channel; onInsert: Insert }) {
  const { t } = useI18n();
  const client = useClient();
  const [text, setText] = useState("");
  const [result, setResult] = useState<{ text: string; hits: SuggestedHitFragment[] } | null>(null);
  const [error, setError] = useState<CombinedError | undefined>();
  const [busy, setBusy] = useState(false);
  async function search(e: Event) {
    e.preventDefault();
    const q = text.trim();
    if (!q) return;
    setBusy(true);
    const r = await client.query(SearchKnowledgeDocument, { text: q, channel, first: 5 }, { requestPolicy: "network-only" }).toPromise();
    setBusy(false);
    setError(r.error);
    if (r.data) setResult({ text: q, hits: r.data.searchKnowledge });
  }
  return (
    <form class="kb-search" role="search" onSubmit={search}>
      <label for="kb-search-text">{t("knowledge.search")}</label>
      <div class="row">
        <input id="kb-search-text" type="search" value={text} placeholder={t("knowledge.searchPlaceholder")}
          onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" class="small" disabled={busy || !text.trim()}>{t("knowledge.searchButton")}</button>
      </div>
      <ErrorText error={error} />
      <p class="muted" role="status" aria-live="polite">
        {result ? (result.hits.length ? t("knowledge.hits", { count: result.hits.length, text: result.text }) : t("knowledge.noHits", { text: result.text })) : ""}
      </p>
      {result?.hits.length ? (
        <ul class="kb-list kb-hits">
          {result.hits.map((h) => (
            <li key={h.id} class="kb-item" data-hit={h.id}>
              <span class="kb-kind">{t(`knowledge.kind.${h.kind}` as MessageKey)}</span>{" "}
              {h.kind === "TEMPLATE" ? (
                <>
                  <span class="kb-title">{h.title}</span>{" "}
                  <button type="button" class="small" aria-label={`${t("knowledge.insert")}: ${h.title}`}
                    onClick={() => onInsert(h.body, { id: h.id, version: h.version, title: h.title })}>{t("knowledge.insert")}</button>
                  <p class="kb-text"><FilledText text={h.body} /></p>
                </>
              ) : <Article hit={h} />}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}
