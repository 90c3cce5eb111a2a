// KnowledgeEditor: the supervisor's knowledge base. The list of every
// article and reply template (drafts and retired ones too, knowledgeItems),
// filtered by kind, status and title; an item's versions (knowledgeItem,
// the live one marked) with a rollback to any earlier one; and the editor:
// save a draft (draftKnowledge), publish (publishKnowledge), retire with a
// reason (retireKnowledge). The server's refusal (an unknown template
// variable, say) is shown beside the form as the server words it.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { CombinedError } from "@urql/core";
import { useClient, useMutation, useQuery } from "@urql/preact";
import {
  KnowledgeEditorDraftDocument, KnowledgeEditorItemDocument, KnowledgeEditorListDocument,
  KnowledgeEditorPublishDocument, KnowledgeEditorRetireDocument, type KnowledgeEditorItemQuery, type KnowledgeEditorListQuery,
} from "./knowledgeEditor.generated";
import type { Channel, KnowledgeKind, KnowledgeStatus } from "../../graphql/types.generated";
import { errorKey } from "../../api/client";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";

const kinds: KnowledgeKind[] = ["ARTICLE", "TEMPLATE"];
const statuses: KnowledgeStatus[] = ["DRAFT", "PUBLISHED", "REVISED", "RETIRED"];
const channels: Channel[] = ["PHONE", "WEBCHAT", "APP", "EMAIL", "SMS", "WECHAT"];
const variables = ["customer.displayName", "customer.tier", "ticket.number", "ticket.subject", "agent.name", "interaction.channel"] as const;
const pageStep = 20;

type Item = NonNullable<KnowledgeEditorItemQuery["knowledgeItem"]>;
type Version = Item["versions"][number];
type Form = {
  title: string; language: "zh" | "en"; category: string; businessDomain: string;
  tags: string; channels: Channel[]; body: string;
};
const emptyForm = (language: "zh" | "en"): Form => ({ title: "", language, category: "", businessDomain: "", tags: "", channels: [], body: "" });
const formOf = (v: Version): Form => ({
  title: v.title, language: v.language === "en" ? "en" : "zh", category: v.category, businessDomain: v.businessDomain,
  tags: v.tags.join(", "), channels: v.channels, body: v.body,
});
const sameForm = (a: Form, b: Form) => JSON.stringify(a) === JSON.stringify(b);

// What is being edited: an item of the ledger, or a new one of a kind.
type Selection = { id: string } | { kind: KnowledgeKind; key: string } | null;

export function KnowledgeEditor() {
  const { t } = useI18n();
  const [kind, setKind] = useState<KnowledgeKind | "">("");
  const [status, setStatus] = useState<KnowledgeStatus | "">("");
  const [text, setText] = useState("");
  const [first, setFirst] = useState(pageStep);
  const [sel, setSel] = useState<Selection>(null);
  const vars = { kind: kind || null, status: status || null, text: text.trim() || null, first };
  // After a change the list is read again (a new context, from the
  // network): at once, and again once its projection has caught up.
  const [reads, setReads] = useState(0);
  const client = useClient();
  const [list, setList] = useState<{ data?: KnowledgeEditorListQuery; error?: CombinedError }>({});
  const key = JSON.stringify(vars);
  useEffect(() => {
    let live = true;
    client.query(KnowledgeEditorListDocument, vars, { requestPolicy: "network-only" }).toPromise()
      .then((r) => { if (live) setList((l) => ({ data: r.data ?? l.data, error: r.error })); });
    return () => { live = false; };
  }, [key, reads]);
  const refresh = () => setReads((n) => n + 1);
  // The list is a projection, a moment behind the item's stream: until its
  // row says what the item does, it is read again (for up to 10 s).
  const [want, setWant] = useState<{ id: string; status: KnowledgeStatus; latest: number; tries: number } | null>(null);
  useEffect(() => {
    if (!want || !list.data) return;
    const row = list.data.knowledgeItems.nodes.find((n) => n.id === want.id);
    if ((row && row.status === want.status && row.latestVersion === want.latest) || want.tries >= 20) return;
    const timer = setTimeout(() => { setWant({ ...want, tries: want.tries + 1 }); refresh(); }, 500);
    return () => clearTimeout(timer);
  }, [list, want]);
  const seen = (id: string, status: KnowledgeStatus, latest: number) =>
    setWant((w) => (w && w.id === id && w.status === status && w.latest === latest ? w : { id, status, latest, tries: 0 }));
  const items = list.data?.knowledgeItems.nodes ?? [];
  const selectedID = sel && "id" in sel ? sel.id : "";
  const create = (k: KnowledgeKind) => setSel({ kind: k, key: `kb-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` });
  return (
    <section aria-labelledby="kb-editor-title" class="kb-editor">
      <h2 id="kb-editor-title">{t("kbEditor.title")}</h2>
      <form class="row" aria-label={t("kbEditor.filters")} onSubmit={(e) => e.preventDefault()}>
        <label for="kb-f-kind">{t("kbEditor.kind")}</label>
        <select id="kb-f-kind" value={kind} onChange={(e) => { setKind(e.currentTarget.value as KnowledgeKind | ""); setFirst(pageStep); }}>
          <option value="">{t("kbEditor.any")}</option>
          {kinds.map((k) => <option value={k}>{t(`knowledge.kind.${k}`)}</option>)}
        </select>
        <label for="kb-f-status">{t("kbEditor.status")}</label>
        <select id="kb-f-status" value={status} onChange={(e) => { setStatus(e.currentTarget.value as KnowledgeStatus | ""); setFirst(pageStep); }}>
          <option value="">{t("kbEditor.any")}</option>
          {statuses.map((s) => <option value={s}>{t(`kbEditor.status.${s}`)}</option>)}
        </select>
        <label for="kb-f-text">{t("kbEditor.search")}</label>
        <input id="kb-f-text" type="search" value={text} onInput={(e) => { setText(e.currentTarget.value); setFirst(pageStep); }} />
        <span class="kb-new">
          <button type="button" onClick={() => create("ARTICLE")}>{t("kbEditor.newArticle")}</button>
          <button type="button" onClick={() => create("TEMPLATE")}>{t("kbEditor.newTemplate")}</button>
        </span>
      </form>
      {list.error ? <Refusal error={list.error} /> : null}
      <div class="kb-editor-split">
        <div class="table-wrap kb-editor-list">
          <table class="kb-items">
            <caption class="sr-only">{t("kbEditor.caption")}</caption>
            <thead><tr>
              <th scope="col">{t("kbEditor.kind")}</th><th scope="col">{t("kbEditor.status")}</th><th scope="col">{t("kbEditor.colTitle")}</th>
              <th scope="col">{t("kbEditor.language")}</th><th scope="col">{t("kbEditor.category")}</th><th scope="col">{t("kbEditor.updated")}</th>
            </tr></thead>
            <tbody>{items.map((it) => (
              <tr data-kb-item={it.id} data-status={it.status} aria-current={it.id === selectedID ? "true" : undefined}>
                <td>{t(`knowledge.kind.${it.kind}`)}</td>
                <td><StatusBadge status={it.status} /></td>
                <td><button type="button" class="kb-open" aria-label={t("kbEditor.open", { title: it.title })}
                  onClick={() => setSel({ id: it.id })}>{it.title}</button></td>
                <td>{langName(t, it.language)}</td><td>{it.category || "—"}</td><td><When iso={it.updatedAt} /></td>
              </tr>
            ))}</tbody>
          </table>
          {list.data && !items.length ? <p class="muted" role="status">{t("kbEditor.none")}</p> : null}
          {list.data?.knowledgeItems.pageInfo.hasNextPage
            ? <button type="button" class="small" onClick={() => setFirst((n) => n + pageStep)}>{t("kbEditor.more")}</button> : null}
        </div>
        <div class="kb-editor-detail">
          {sel === null ? <p class="muted">{t("kbEditor.pick")}</p>
            : "id" in sel ? <ItemEditor key={sel.id} id={sel.id} onChanged={refresh} onSeen={seen} />
            : <Editor key={sel.key} kind={sel.kind} idempotencyKey={sel.key} form={emptyForm("zh")}
                onChanged={(id) => { refresh(); if (id) setSel({ id }); }} />}
        </div>
      </div>
    </section>
  );
}

type T = ReturnType<typeof useI18n>["t"];
const langName = (t: T, l: string) => (l === "zh" || l === "en" ? t(`kbEditor.lang.${l}`) : l);

function StatusBadge({ status }: { status: KnowledgeStatus }) {
  const { t } = useI18n();
  return <span class={`kb-status kb-status-${status}`} data-status={status}>{t(`kbEditor.status.${status}`)}</span>;
}

function When({ iso }: { iso: string | null | undefined }) {
  const { time, t } = useI18n();
  return iso ? <time dateTime={iso}>{time(iso)}</time> : <span class="muted">{t("kbEditor.never")}</span>;
}

/** Refusal: a server's error, with its own words when it refused the input. */
function Refusal({ error }: { error: CombinedError | undefined }) {
  const { t } = useI18n();
  const key = errorKey(error);
  if (!key) return null;
  const message = error?.graphQLErrors[0]?.message;
  return (
    <p class="error" role="alert" data-kb-error>
      {key === "error.BAD_USER_INPUT" && message ? t("kbEditor.refused", { message }) : t(key)}
    </p>
  );
}

/** ItemEditor: an item of the ledger, its versions and the editor on its newest. */
function ItemEditor({ id, onChanged, onSeen }: {
  id: string; onChanged: () => void; onSeen: (id: string, status: KnowledgeStatus, latest: number) => void;
}) {
  const { t, time } = useI18n();
  const [q, refetch] = useQuery({ query: KnowledgeEditorItemDocument, variables: { id }, requestPolicy: "network-only" });
  const [from, setFrom] = useState<number | null>(null); // the version the editor starts from; null: the newest
  const [pub, publish] = useMutation(KnowledgeEditorPublishDocument);
  const [note, setNote] = useState<Note>(null);
  const item = q.data?.knowledgeItem;
  useEffect(() => { if (item) onSeen(item.id, item.status, item.latestVersion); }, [item?.status, item?.latestVersion]);
  if (q.error) return <Refusal error={q.error} />;
  if (!item) return <p class="muted" role="status">{t("kbEditor.loading")}</p>;
  const base = item.versions.find((v) => v.version === from) ?? item.versions[0];
  const changed = (msg: Note) => { setNote(msg); setFrom(null); refetch({ requestPolicy: "network-only" }); onChanged(); };
  async function rollback(version: number) {
    const r = await publish({ id, version });
    if (r.data) changed({ key: "kbEditor.published", params: { version } });
  }
  return (
    <div class="kb-item-detail" data-kb-detail={id} data-status={item.status}>
      <h3>{t("kbEditor.editing", { kind: t(`knowledge.kind.${item.kind}`), title: item.versions[0]?.title ?? "" })}</h3>
      <p class="kb-summary">
        <StatusBadge status={item.status} />{" "}
        {t("kbEditor.summary", { live: item.liveVersion ?? t("kbEditor.noLive"), latest: item.latestVersion })}
      </p>
      {item.pendingRevision ? <p class="muted" data-kb-pending>{t("kbEditor.pending", { version: item.pendingRevision })}</p> : null}
      {item.retiredAt ? <p class="muted" data-kb-retired>{t("kbEditor.retiredNote", { at: time(item.retiredAt), reason: item.retireReason ?? "" })}</p> : null}
      <p class="ok" role="status" aria-live="polite">{note ? t(note.key, note.params) : ""}</p>
      <Refusal error={pub.error} />
      <details class="kb-versions" open>
        <summary>{t("kbEditor.versions")} ({item.versions.length})</summary>
        <table>
          <caption class="sr-only">{t("kbEditor.versionsCaption")}</caption>
          <thead><tr>
            <th scope="col">{t("kbEditor.version")}</th><th scope="col">{t("kbEditor.colTitle")}</th><th scope="col">{t("kbEditor.draftedBy")}</th>
            <th scope="col">{t("kbEditor.publishedAt")}</th><th scope="col"><span class="sr-only">{t("kbEditor.publish")}</span></th>
          </tr></thead>
          <tbody>{item.versions.map((v) => (
            <tr data-kb-version={v.version} data-live={v.version === item.liveVersion ? "true" : undefined}>
              <td>{v.version}{v.version === item.liveVersion ? <> <span class="kb-live">{t("kbEditor.live")}</span></> : null}</td>
              <td>{v.title}</td>
              <td>{v.draftedBy}<br /><span class="muted"><When iso={v.draftedAt} /></span></td>
              <td><When iso={v.publishedAt} /></td>
              <td class="kb-version-actions">
                {item.status !== "RETIRED" && v.version !== item.liveVersion && v.version !== item.latestVersion
                  ? <button type="button" class="small" aria-label={t("kbEditor.publishVersion", { version: v.version })} disabled={pub.fetching}
                      onClick={() => rollback(v.version)}>{t("kbEditor.rollback")}</button> : null}
                {item.status !== "RETIRED" && v.version !== base?.version
                  ? <button type="button" class="small" aria-label={t("kbEditor.loadVersion", { version: v.version })}
                      onClick={() => setFrom(v.version)}>{t("kbEditor.load")}</button> : null}
              </td>
            </tr>
          ))}</tbody>
        </table>
      </details>
      {base ? (
        <Editor key={`${id}/${base.version}/${item.latestVersion}/${item.status}`} id={id} kind={item.kind} form={formOf(base)}
          latest={item.latestVersion} retired={item.status === "RETIRED"} onChanged={(_, msg) => changed(msg ?? null)} />
      ) : null}
    </div>
  );
}

// A note on what a change did, worded in the language shown when shown.
type Note = { key: MessageKey; params?: Record<string, string | number> } | null;

type EditorProps = {
  id?: string; kind: KnowledgeKind; form: Form; latest?: number; retired?: boolean; idempotencyKey?: string;
  onChanged: (id: string, note?: Note) => void;
};

/** Editor: the form of a version, with save, publish and retire. */
function Editor({ id, kind, form: initial, latest = 0, retired = false, idempotencyKey, onChanged }: EditorProps) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form>(initial);
  const [preview, setPreview] = useState(false);
  const [html, setHtml] = useState("");
  const [retiring, setRetiring] = useState(false);
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState<MessageKey | null>(null);
  const [note, setNote] = useState<Note>(null);
  const [draftRes, draft] = useMutation(KnowledgeEditorDraftDocument);
  const [pubRes, publish] = useMutation(KnowledgeEditorPublishDocument);
  const [retRes, retire] = useMutation(KnowledgeEditorRetireDocument);
  const [failed, setFailed] = useState<CombinedError | undefined>(undefined);
  const body = useRef<HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);
  const busy = draftRes.fetching || pubRes.fetching || retRes.fetching;
  const p = `kb-${id ?? "new"}`;
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));

  useEffect(() => {
    if (!preview || kind !== "ARTICLE") return;
    let live = true;
    import("../ReplySuggestions/markdown").then((m) => { if (live) setHtml(m.renderMarkdown(form.body)); });
    return () => { live = false; };
  }, [preview, form.body, kind]);

  function insert(variable: string) {
    const el = body.current, token = `{{${variable}}}`;
    const start = el?.selectionStart ?? form.body.length, end = el?.selectionEnd ?? form.body.length;
    const next = form.body.slice(0, start) + token + form.body.slice(end);
    caret.current = start + token.length;
    set("body", next);
  }
  // After a variable is inserted, the cursor goes back into the text, after it.
  useLayoutEffect(() => {
    const el = body.current, at = caret.current;
    if (el && at !== null) { caret.current = null; el.focus(); el.setSelectionRange(at, at); }
  }, [form.body]);

  // save drafts the form when it differs from the version it came from (or
  // the item is new); it returns the item's id and newest version.
  async function save(): Promise<{ id: string; latest: number; saved: boolean } | null> {
    setFailed(undefined); setNote(null); setMissing(null);
    if (!form.title.trim() || !form.body.trim()) { setMissing("kbEditor.titleRequired"); return null; }
    if (id && sameForm(form, initial)) return { id, latest, saved: false };
    const tags = form.tags.split(/[,，]/).map((s) => s.trim()).filter(Boolean);
    const r = await draft({
      id: id ?? null, kind: id ? null : kind, title: form.title, body: form.body, language: form.language,
      category: form.category.trim() || null, businessDomain: form.businessDomain.trim() || null, tags,
      channels: kind === "TEMPLATE" ? form.channels : [], idempotencyKey: id ? null : idempotencyKey ?? null,
    });
    if (r.error || !r.data) { setFailed(r.error); return null; }
    const d = r.data.draftKnowledge;
    return { id: d.id, latest: d.latestVersion, saved: d.position > 0 };
  }
  async function onSave(e: Event) {
    e.preventDefault();
    const s = await save();
    if (!s) return;
    const msg: Note = { key: s.saved ? "kbEditor.saved" : "kbEditor.unchanged", params: { version: s.latest } };
    setNote(msg);
    onChanged(s.id, msg);
  }
  async function onPublish() {
    const s = await save();
    if (!s) return;
    const r = await publish({ id: s.id, version: s.latest });
    if (r.error || !r.data) { setFailed(r.error); if (s.saved) onChanged(s.id); return; }
    const msg: Note = { key: "kbEditor.published", params: { version: s.latest } };
    setNote(msg);
    onChanged(s.id, msg);
  }
  async function onRetire(e: Event) {
    e.preventDefault();
    if (!id) return;
    if (!reason.trim()) { setMissing("kbEditor.reasonRequired"); return; }
    setMissing(null); setFailed(undefined);
    const r = await retire({ id, reason: reason.trim() });
    if (r.error || !r.data) { setFailed(r.error); return; }
    setRetiring(false);
    onChanged(id, { key: "kbEditor.retired" });
  }

  const errId = `${p}-error`;
  return (
    <form class="kb-form" aria-label={t("kbEditor.form")} onSubmit={onSave} aria-describedby={errId}>
      {id ? null : <h3>{t(`kbEditor.creating.${kind}`)}</h3>}
      <fieldset disabled={retired} class="kb-fields">
        <label for={`${p}-title`}>{t("kbEditor.fieldTitle")}</label>
        <input id={`${p}-title`} class="kb-wide" value={form.title} maxLength={200} required onInput={(e) => set("title", e.currentTarget.value)} />
        <div class="kb-grid">
          <div>
            <label for={`${p}-lang`}>{t("kbEditor.language")}</label>
            <select id={`${p}-lang`} value={form.language} onChange={(e) => set("language", e.currentTarget.value as "zh" | "en")}>
              <option value="zh">{t("kbEditor.lang.zh")}</option><option value="en">{t("kbEditor.lang.en")}</option>
            </select>
          </div>
          <div>
            <label for={`${p}-cat`}>{t("kbEditor.fieldCategory")}</label>
            <input id={`${p}-cat`} value={form.category} onInput={(e) => set("category", e.currentTarget.value)} />
          </div>
          <div>
            <label for={`${p}-domain`}>{t("kbEditor.fieldDomain")}</label>
            <input id={`${p}-domain`} value={form.businessDomain} onInput={(e) => set("businessDomain", e.currentTarget.value)} />
          </div>
          <div>
            <label for={`${p}-tags`}>{t("kbEditor.fieldTags")}</label>
            <input id={`${p}-tags`} value={form.tags} onInput={(e) => set("tags", e.currentTarget.value)} />
          </div>
        </div>
        {kind === "TEMPLATE" ? (
          <fieldset class="kb-channels">
            <legend>{t("kbEditor.fieldChannels")}</legend>
            {channels.map((c) => (
              <label class="check">
                <input type="checkbox" value={c} checked={form.channels.includes(c)}
                  onChange={(e) => set("channels", e.currentTarget.checked ? channels.filter((x) => x === c || form.channels.includes(x)) : form.channels.filter((x) => x !== c))} />
                {t(`channel.${c}`)}
              </label>
            ))}
          </fieldset>
        ) : null}
        <label for={`${p}-body`}>{t(`kbEditor.fieldBody.${kind}`)}</label>
        {kind === "TEMPLATE" ? (
          <div class="kb-vars">
            <p class="muted" id={`${p}-vars`}>{t("kbEditor.variables")}</p>
            <div class="row">{variables.map((v) => (
              <button type="button" class="small kb-var" data-variable={v} aria-label={t("kbEditor.insertVariable", { variable: `{{${v}}}`, meaning: t(`knowledge.var.${v}`) })}
                onClick={() => insert(v)}>{`{{${v}}}`}</button>
            ))}</div>
          </div>
        ) : null}
        <textarea id={`${p}-body`} ref={body} class="kb-wide" rows={kind === "ARTICLE" ? 10 : 5} value={form.body} required
          aria-describedby={kind === "TEMPLATE" ? `${p}-vars` : undefined} onInput={(e) => set("body", e.currentTarget.value)} />
        {kind === "ARTICLE" ? (
          <div>
            <button type="button" class="small" aria-expanded={preview} aria-controls={`${p}-preview`} onClick={() => setPreview(!preview)}>
              {preview ? t("kbEditor.hidePreview") : t("kbEditor.preview")}
            </button>
            {preview ? (
              // Safe: markdown-it with html off; see ReplySuggestions/markdown.ts.
              <div id={`${p}-preview`} class="kb-article markdown" role="region" aria-label={t("kbEditor.previewTitle")} dangerouslySetInnerHTML={{ __html: html }} />
            ) : null}
          </div>
        ) : null}
      </fieldset>
      <div id={errId}>
        {missing ? <p class="error" role="alert">{t(missing)}</p> : null}
        <Refusal error={failed} />
        {!id && note ? <p class="ok" role="status">{t(note.key, note.params)}</p> : null}
      </div>
      {retired ? null : (
        <div class="row kb-actions">
          <button type="submit" disabled={busy}>{t("kbEditor.saveDraft")}</button>
          <button type="button" disabled={busy} onClick={onPublish}>{t("kbEditor.publish")}</button>
          {id ? <button type="button" class="kb-retire" aria-expanded={retiring} disabled={busy} onClick={() => setRetiring(!retiring)}>{t("kbEditor.retire")}</button> : null}
        </div>
      )}
      {retiring && id ? (
        <div class="row kb-retire-form" role="group" aria-label={t("kbEditor.retire")}>
          <label for={`${p}-reason`}>{t("kbEditor.retireReason")}</label>
          <input id={`${p}-reason`} size={30} value={reason} onInput={(e) => setReason(e.currentTarget.value)}
            onKeyDown={(e) => { if (e.key === "Enter") onRetire(e); if (e.key === "Escape") setRetiring(false); }} />
          <button type="button" class="kb-retire" disabled={busy} onClick={onRetire}>{t("kbEditor.confirmRetire")}</button>
          <button type="button" class="small" onClick={() => setRetiring(false)}>{t("kbEditor.cancel")}</button>
        </div>
      ) : null}
    </form>
  );
}
