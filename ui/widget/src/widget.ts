// The Interaction Ledger web chat widget. A site embeds it with one tag:
//
//   <script src="https://ledger.example.com/widget.js" async></script>
//
// Options, as data- attributes of that tag:
//   data-server    the ledger's base URL (default: where widget.js came from)
//   data-lang      en or zh-CN (default: the browser's language)
//   data-name      a display name for a new customer
//   data-identity  an identity assertion from the site's backend (verified customers)
//   data-open      "true" opens the chat at once
//
// window.LedgerWebChat has open(), close() and logout() (forgets the
// visitor id, as a site should at its own logout).

import { backoffDelay, Connection, type Attachment, type ConnState, type MessageFrame } from "./conn";
import { FileClient, filesURL, isPicture, maxFileBytes, saveBlob, Thumbnails } from "./files";
import { messages, pickLang, type Messages } from "./i18n";
import { newMessageId, newVisitorId, validVisitorId } from "./ids";
import { css } from "./style";

const storeKey = "ledger-webchat";
const visitorKey = storeKey + ":visitor";
const outboxKey = storeKey + ":outbox";
const openKey = storeKey + ":open";

interface Entry {
  key: string;
  direction: "IN" | "OUT";
  text: string;
  at: Date;
  position?: number;
  state: "sent" | "sending" | "failed";
  seq: number;
  attachments?: Attachment[];
  // note says why a message is not sent yet, or was not.
  note?: string;
  // upload is a file of this page on its way: kept to send it again
  // under the same id.
  upload?: Upload;
}

interface Upload {
  id: string;
  name: string;
  file: Blob;
  attempt: number;
}

// accept is what the file picker offers: what the server takes
// (webchat.UploadTypes); it sniffs the type and decides.
const accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain";

interface Config {
  url: string;
  lang: ReturnType<typeof pickLang>;
  name?: string;
  identity?: string;
  open: boolean;
}

function readConfig(script: HTMLScriptElement | null): Config {
  const d = script?.dataset ?? {};
  const base = d.server || script?.src || location.href;
  const url = new URL(d.server ? "channels/webchat" : "./channels/webchat", d.server ? withSlash(base) : base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.hash = "";
  url.search = "";
  return {
    url: url.toString(),
    lang: pickLang(d.lang, navigator.languages?.length ? navigator.languages : [navigator.language]),
    name: d.name || undefined,
    identity: d.identity || undefined,
    open: d.open === "true",
  };
}

function withSlash(u: string): string {
  return u.endsWith("/") ? u : u + "/";
}

function storage(kind: "local" | "session"): Storage | null {
  try {
    return kind === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage disabled: the conversation lasts the page
  }
}

function visitorId(): string {
  const s = storage("local");
  const known = s?.getItem(visitorKey) ?? null;
  if (validVisitorId(known)) return known;
  const id = newVisitorId();
  s?.setItem(visitorKey, id);
  return id;
}

// entryKey names a message the same way whichever frame carries it: the
// ledger prefixes the visitor's own ids with its digest ("vd-…:c-1").
function entryKey(direction: string, id: string): string {
  return direction === "IN" ? "in:" + id.slice(id.lastIndexOf(":") + 1) : "out:" + id;
}

const clipIcon =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z"/></svg>';

const chatIcon =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';

class Widget {
  private readonly t: Messages;
  private readonly conn: Connection;
  private readonly entries = new Map<string, Entry>();
  private seq = 0;
  private unread = 0;
  private state: ConnState = { kind: "closed" };
  private countdown: number | undefined;

  private readonly host: HTMLElement;
  private readonly bubble: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly status: HTMLElement;
  private readonly log: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly picker: HTMLInputElement;
  private readonly files: FileClient;
  private readonly thumbs: Thumbnails;

  // returning: this browser chatted before (it has a visitor id), so the
  // widget connects at once to show replies that come while it is closed.
  private readonly returning = validVisitorId(storage("local")?.getItem(visitorKey) ?? null);

  constructor(private readonly cfg: Config) {
    this.t = messages(cfg.lang);
    const visitor = visitorId();
    this.files = new FileClient(filesURL(cfg.url), { visitorId: visitor, identity: cfg.identity });
    this.thumbs = new Thumbnails(this.files);
    this.conn = new Connection(
      { url: cfg.url, visitorId: visitor, identity: cfg.identity, name: cfg.name },
      {
        state: (s) => this.onState(s),
        welcome: (f) => this.onWelcome(f.history),
        message: (f) => this.onMessage(f, true),
        ack: (f) => this.onAck(f.id, f.position),
        error: (f) => this.onError(f.id, f.code),
      },
    );

    this.host = document.createElement("div");
    this.host.id = "ledger-webchat";
    const shadow = this.host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = css;
    const t = this.t;
    const root = el("div", { class: "root", lang: cfg.lang });
    this.bubble = el("button", { type: "button", class: "bubble", "aria-expanded": "false", "aria-controls": "ledger-webchat-panel", "aria-label": t.openChat }) as HTMLButtonElement;
    this.bubble.innerHTML = chatIcon;
    this.badge = el("span", { class: "badge", "aria-hidden": "true" });
    this.badge.hidden = true;
    this.bubble.append(this.badge);

    this.panel = el("section", { id: "ledger-webchat-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "ledger-webchat-title" });
    this.panel.hidden = true;
    const header = el("header");
    const titles = el("div", { class: "titles" });
    titles.append(el("h2", { id: "ledger-webchat-title" }, t.title), el("p", {}, t.subtitle));
    const close = el("button", { type: "button", class: "close", "aria-label": t.closeChat }, "×");
    header.append(titles, close);
    this.status = el("p", { class: "status", role: "status", "aria-live": "polite" });
    const logBox = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.messages, tabindex: "0" });
    this.log = el("ol", { class: "list" });
    logBox.append(this.log);
    this.scroller = logBox;
    const form = el("form");
    const label = el("label", { for: "ledger-webchat-input", class: "sr-only" }, t.inputLabel);
    this.input = el("textarea", { id: "ledger-webchat-input", rows: "1", placeholder: t.placeholder, maxlength: "4000", autocomplete: "off" }) as HTMLTextAreaElement;
    const send = el("button", { type: "submit", class: "send" }, t.send);
    const attach = el("button", { type: "button", class: "attach", "aria-label": t.attach, title: t.attach });
    attach.innerHTML = clipIcon;
    this.picker = el("input", { type: "file", accept, multiple: "", hidden: "", tabindex: "-1", "aria-hidden": "true", class: "picker" }) as HTMLInputElement;
    form.append(label, attach, this.picker, this.input, send);
    this.panel.append(header, this.status, logBox, form);
    root.append(this.bubble, this.panel);
    shadow.append(style, root);

    this.bubble.addEventListener("click", () => (this.panel.hidden ? this.open() : this.close(true)));
    close.addEventListener("click", () => this.close(true));
    this.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        this.close(true);
      }
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    window.addEventListener("online", () => this.conn.retryNow());
    attach.addEventListener("click", () => this.picker.click());
    this.picker.addEventListener("change", () => {
      const chosen = [...(this.picker.files ?? [])];
      this.picker.value = ""; // the same file may be chosen again
      for (const f of chosen) this.attachFile(f, f.name);
    });
    // A picture pasted into the box (a screenshot) is attached; text
    // stays text, even when it comes with a picture of itself (cells
    // copied from a spreadsheet).
    this.input.addEventListener("paste", (e) => {
      const pasted = [...(e.clipboardData?.files ?? [])];
      if (!pasted.length || e.clipboardData?.getData("text/plain")) return;
      e.preventDefault();
      for (const f of pasted) this.attachFile(f, f.name || "pasted.png");
    });

    // Messages not acknowledged before the last page went away are sent
    // again under their ids: the ledger records each once.
    for (const m of this.loadOutbox()) {
      this.add({ key: entryKey("IN", m.id), direction: "IN", text: m.text, at: new Date(m.sentAt), state: "sending", seq: 0 });
      this.conn.send(m);
    }
    this.render();
  }

  mount(): void {
    document.body.append(this.host);
    const wasOpen = storage("session")?.getItem(openKey) === "1";
    if (this.cfg.open || wasOpen) this.open(false);
    else if (this.returning) this.conn.start();
  }

  open(focus = true): void {
    this.panel.hidden = false;
    this.bubble.setAttribute("aria-expanded", "true");
    this.bubble.setAttribute("aria-label", this.t.closeChat);
    storage("session")?.setItem(openKey, "1");
    this.unread = 0;
    this.renderBadge();
    this.conn.start();
    this.conn.retryNow();
    this.scrollDown();
    if (focus) this.input.focus();
  }

  close(focus: boolean): void {
    this.panel.hidden = true;
    this.bubble.setAttribute("aria-expanded", "false");
    storage("session")?.removeItem(openKey);
    this.renderBadge();
    if (focus) this.bubble.focus();
  }

  logout(): void {
    this.conn.stop();
    storage("local")?.removeItem(visitorKey);
    storage("local")?.removeItem(outboxKey);
    this.entries.clear();
    this.render();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    const m = { id: newMessageId(), text, sentAt: new Date().toISOString() };
    this.add({ key: entryKey("IN", m.id), direction: "IN", text, at: new Date(m.sentAt), state: "sending", seq: 0 });
    this.conn.send(m);
    this.saveOutbox();
    this.render();
    this.scrollDown();
  }

  // attachFile sends a file as a message of its own, over HTTP.
  private attachFile(file: Blob, name: string): void {
    const id = newMessageId();
    const e: Entry = {
      key: entryKey("IN", id),
      direction: "IN",
      text: "",
      at: new Date(),
      state: "sending",
      seq: 0,
      attachments: [{ name, contentType: file.type, size: file.size, sha256: "" }],
      upload: { id, name, file, attempt: 0 },
    };
    this.add(e);
    if (file.size > maxFileBytes) {
      e.state = "failed";
      e.note = this.t.fileTooLarge(maxFileBytes >> 20);
      e.upload = undefined;
    } else {
      this.conn.start(); // the conversation's socket shows the file once recorded
      void this.sendFile(e);
    }
    this.render();
    this.scrollDown();
  }

  private async sendFile(e: Entry): Promise<void> {
    const u = e.upload;
    if (!u) return;
    const r = await this.files.upload(u.id, u.name, u.file);
    if (this.entries.get(e.key) !== e) return; // logged out meanwhile
    switch (r.kind) {
      case "ack":
        e.upload = undefined;
        e.note = undefined;
        this.onAck(r.ack.id, r.ack.position);
        return;
      case "failed":
        e.upload = undefined;
        e.state = "failed";
        e.note = this.uploadError(r.status, r.message);
        break;
      case "retry": {
        // As messages do: the same file under the same id, after the
        // server's wait (or a backoff of our own when it gave none).
        const wait = r.after || backoffDelay(u.attempt++, 1000, 30_000) / 1000;
        e.note = this.t.retrying(Math.ceil(wait));
        if (r.status === 429) this.status.textContent = this.t.limited;
        window.setTimeout(() => void this.sendFile(e), wait * 1000);
        break;
      }
    }
    this.render();
    this.scrollDown();
  }

  // uploadError is the server's word in English; in another language the
  // catalogue's for what it can name.
  private uploadError(status: number, server: string): string {
    const t = this.t;
    const known = status === 413 ? t.fileTooLarge(maxFileBytes >> 20) : status === 415 ? t.fileNotAccepted : "";
    return this.cfg.lang === "en" ? server || known || t.fileFailed : known || server || t.fileFailed;
  }

  private onState(s: ConnState): void {
    this.state = s;
    window.clearInterval(this.countdown);
    if (s.kind === "waiting") this.countdown = window.setInterval(() => this.renderStatus(), 1000);
    this.renderStatus();
  }

  private onWelcome(history: MessageFrame[]): void {
    // The welcome is the conversation as the ledger has it; what we sent
    // and is not acknowledged yet stays, and is resent.
    const pending = [...this.entries.values()].filter((e) => e.state !== "sent");
    this.entries.clear();
    for (const f of history) this.onMessage(f, false);
    for (const e of pending) if (!this.entries.has(e.key)) this.entries.set(e.key, e);
    this.render();
    this.scrollDown();
  }

  private onMessage(f: MessageFrame, live: boolean): void {
    const key = entryKey(f.direction, f.id);
    const known = this.entries.get(key);
    if (known) {
      known.state = "sent";
      known.position = f.position ?? known.position;
      known.attachments = f.attachments ?? known.attachments; // as recorded: with their hashes
      known.note = undefined;
    } else {
      this.add({ key, direction: f.direction, text: f.text, at: new Date(f.at), position: f.position, state: "sent", seq: 0, attachments: f.attachments });
      if (live && f.direction === "OUT" && this.panel.hidden) this.unread++;
    }
    if (live) {
      this.render();
      this.renderBadge();
      this.scrollDown();
    }
  }

  private onAck(id: string, position: number): void {
    const e = this.entries.get(entryKey("IN", id));
    if (e) {
      e.state = "sent";
      e.position = position;
      e.note = undefined;
    }
    this.saveOutbox();
    this.render();
  }

  private onError(id: string | undefined, code: string): void {
    if (code === "limited") {
      this.status.textContent = this.t.limited;
      return;
    }
    const e = id ? this.entries.get(entryKey("IN", id)) : undefined;
    if (e) e.state = "failed";
    this.saveOutbox();
    this.render();
  }

  private add(e: Entry): void {
    e.seq = ++this.seq;
    this.entries.set(e.key, e);
  }

  private loadOutbox(): { id: string; text: string; sentAt: string }[] {
    try {
      const v = JSON.parse(storage("local")?.getItem(outboxKey) ?? "[]");
      return Array.isArray(v) ? v.filter((m) => typeof m?.id === "string" && typeof m?.text === "string" && typeof m?.sentAt === "string") : [];
    } catch {
      return [];
    }
  }

  private saveOutbox(): void {
    const out = this.conn.pending();
    if (out.length) storage("local")?.setItem(outboxKey, JSON.stringify(out));
    else storage("local")?.removeItem(outboxKey);
  }

  private renderStatus(): void {
    const s = this.state;
    const t = this.t;
    let text = "";
    switch (s.kind) {
      case "connecting":
        text = t.connecting;
        break;
      case "open":
        text = t.connected;
        break;
      case "waiting":
        text = navigator.onLine === false ? t.offline : t.reconnecting(Math.max(1, Math.ceil((s.until - Date.now()) / 1000)));
        break;
    }
    this.status.dataset.kind = s.kind;
    this.status.textContent = text;
  }

  private renderBadge(): void {
    const n = this.panel.hidden ? this.unread : 0;
    this.badge.hidden = n === 0;
    this.badge.textContent = String(n);
    if (this.panel.hidden) this.bubble.setAttribute("aria-label", n ? this.t.openChatUnread(n) : this.t.openChat);
  }

  private render(): void {
    const t = this.t;
    const list = [...this.entries.values()].sort(
      (a, b) => (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) || a.seq - b.seq,
    );
    const fmt = timeFormat(this.cfg.lang);
    const pictures = new Set<string>();
    const items: HTMLElement[] = list.map((e) => {
      const li = el("li", { class: `msg ${e.direction === "IN" ? "in" : "out"}${e.state === "failed" ? " failed" : ""}`, "data-state": e.state });
      li.append(el("span", { class: "sr-only" }, (e.direction === "IN" ? t.you : t.agent) + ": "));
      if (e.text) li.append(el("span", { class: "text" }, e.text));
      for (const a of e.attachments ?? []) {
        li.append(this.renderFile(a));
        if (a.sha256 && !a.quarantined && isPicture(a.contentType)) pictures.add(a.sha256);
      }
      const meta = el("span", { class: "meta" });
      const time = el("time", { datetime: e.at.toISOString() }, fmt(e.at));
      meta.append(time);
      if (e.state !== "sent") meta.append(" · " + (e.state === "sending" ? t.sending : t.failed));
      if (e.note) meta.append(" · " + e.note);
      li.append(meta);
      return li;
    });
    if (!items.length) items.push(el("li", { class: "empty" }, t.empty));
    this.log.replaceChildren(...items);
    this.thumbs.keepOnly(pictures);
  }

  // renderFile shows a file of a message: a picture as a thumbnail, other
  // files as a link; both download the file. A quarantined file is only
  // named; one on its way (no hash yet) too.
  private renderFile(a: Attachment): HTMLElement {
    const t = this.t;
    const box = el("span", { class: "file", "data-sha256": a.sha256 });
    if (a.quarantined) {
      box.classList.add("blocked");
      box.append(el("span", { class: "name" }, a.name), " · " + t.fileBlocked);
      return box;
    }
    if (!a.sha256) {
      box.append(el("span", { class: "name" }, a.name), " (" + formatSize(a.size) + ")");
      return box;
    }
    const link = el("a", { href: "#", class: "download", "aria-label": t.download(a.name), title: a.name });
    link.addEventListener("click", (ev) => {
      ev.preventDefault();
      this.files.fetchFile(a.sha256).then(
        (blob) => saveBlob(this.scroller, blob, a.name), // the link may be re-rendered meanwhile
        () => {
          this.status.textContent = t.downloadFailed(a.name);
        },
      );
    });
    if (isPicture(a.contentType)) {
      // A thumbnail's box has its size before the picture comes, so the
      // log does not move under the reader (nor off its end).
      const img = el("img", { class: "thumb", alt: a.name, width: "160", height: "120" }) as HTMLImageElement;
      this.thumbs.url(a.sha256).then(
        (u) => (img.src = u),
        () => img.replaceWith(a.name),
      );
      link.append(img);
      box.append(link);
    } else {
      link.textContent = a.name;
      box.append(link, " (" + formatSize(a.size) + ")");
    }
    return box;
  }

  private scrollDown(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MB`;
}

function timeFormat(lang: string): (d: Date) => string {
  const time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  const full = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return (d) => (d.toDateString() === new Date().toDateString() ? time : full).format(d);
}

function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

declare global {
  interface Window {
    LedgerWebChat?: { open(): void; close(): void; logout(): void };
  }
}

(function boot() {
  if (window.LedgerWebChat) return; // embedded twice
  const script = document.currentScript as HTMLScriptElement | null;
  const start = () => {
    const w = new Widget(readConfig(script));
    w.mount();
    window.LedgerWebChat = { open: () => w.open(), close: () => w.close(false), logout: () => w.logout() };
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
