// FilePicker: the "Attach files" control of the reply box and the ticket
// note form. Each chosen (or dropped, or pasted) file is uploaded at once
// (api/files.ts) and listed with its state: uploading, ready, or not
// uploaded with the reason; each can be removed. The form sends the ready
// files' tokens with its mutation (useUploads().tokens) and drops them from
// the list once they were recorded (useUploads().sent).
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren, JSX } from "preact";
import { uploadFile, type UploadTarget } from "../../api/files";
import { useI18n, type I18n } from "../../i18n";
import { formatSize } from "./Attachments";

/** The server's limit on one uploaded file (graphql.MaxUploadBytes). */
const maxUploadBytes = 25 << 20;

type Pending = {
  key: string;
  name: string;
  size: number;
  state: "uploading" | "ready" | "error";
  token?: string;
  /** Why it was not uploaded, as a sentence of the catalogue. */
  error?: string;
};

export type Uploads = {
  files: Pending[];
  /** The ready files' tokens, for the mutation's `files`. */
  tokens: string[];
  /** Some file is still on its way. */
  busy: boolean;
  add: (files: Iterable<File>) => void;
  remove: (key: string) => void;
  /** sent drops the files recorded with these tokens, and those that failed; files added meanwhile stay. */
  sent: (tokens: string[]) => void;
};

/** failure turns an upload's refusal into a sentence in the user's language. */
function failure(t: I18n["t"], locale: I18n["locale"], status: number, message: string): string {
  if (status === 0) return t("files.unreachable");
  if (status === 413) return t("files.tooBig", { max: formatSize(maxUploadBytes, locale) });
  const signature = status === 422 ? /signature (\S+?):/.exec(message)?.[1] : undefined;
  if (signature) return t("files.infected", { signature });
  return t("files.failed", { reason: message || String(status) });
}

/** useUploads keeps the files attached to one interaction's reply or one ticket's note. */
export function useUploads(target: UploadTarget): Uploads {
  const { t, locale } = useI18n();
  const [files, setFiles] = useState<Pending[]>([]);
  const running = useRef(new Map<string, AbortController>());
  const update = (key: string, change: Partial<Pending>) =>
    setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...change } : f)));
  // Another interaction or ticket: what was attached to the last is dropped.
  const where = `${target.kind}:${target.id}`;
  useEffect(() => () => {
    running.current.forEach((c) => c.abort());
    running.current.clear();
    setFiles([]);
  }, [where]);

  function add(chosen: Iterable<File>) {
    for (const file of chosen) {
      const key = crypto.randomUUID();
      const abort = new AbortController();
      running.current.set(key, abort);
      setFiles((list) => [...list, { key, name: file.name, size: file.size, state: "uploading" }]);
      uploadFile(target, file, abort.signal).then((r) => {
        if (abort.signal.aborted) return;
        running.current.delete(key);
        if (r.ok) update(key, { state: "ready", token: r.file.token, name: r.file.name });
        else update(key, { state: "error", error: failure(t, locale, r.status, r.message) });
      });
    }
  }
  function remove(key: string) {
    running.current.get(key)?.abort();
    running.current.delete(key);
    setFiles((list) => list.filter((f) => f.key !== key));
  }
  return {
    files,
    tokens: files.flatMap((f) => (f.state === "ready" && f.token ? [f.token] : [])),
    busy: files.some((f) => f.state === "uploading"),
    add, remove,
    sent: (tokens) => setFiles((list) => list.filter((f) => f.state === "uploading" || (f.state === "ready" && !tokens.includes(f.token!)))),
  };
}

/** pastedFiles are the files of a paste that carries no text (a screenshot, a copied file). */
export function pastedFiles(e: ClipboardEvent): File[] {
  const data = e.clipboardData;
  if (!data || data.types.includes("text/plain")) return [];
  return [...data.files];
}

/**
 * DropZone wraps a form so files dropped anywhere on it are attached.
 * The picker's button stays the keyboard's way in.
 */
export function DropZone({ uploads, disabled, children, ...props }: { uploads: Uploads; disabled?: boolean; children: ComponentChildren } & JSX.HTMLAttributes<HTMLFormElement>) {
  const [over, setOver] = useState(false);
  // disabled: a form whose channel carries no files takes no drops.
  const hasFiles = (e: DragEvent) => !disabled && !!e.dataTransfer?.types.includes("Files");
  return (
    <form {...props} class={`${props.class ?? ""}${over ? " dropping" : ""}`}
      onDragOver={(e) => { if (hasFiles(e)) { e.preventDefault(); setOver(true); } }}
      onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false); }}
      onDrop={(e) => {
        setOver(false);
        if (!hasFiles(e)) return;
        e.preventDefault();
        uploads.add(e.dataTransfer!.files);
      }}>
      {children}
    </form>
  );
}

/** FilePicker: the file input, under its label, and the files attached so far. */
export function FilePicker({ id, uploads }: { id: string; uploads: Uploads }) {
  const { t, locale } = useI18n();
  return (
    <div class="file-picker">
      <input id={id} type="file" multiple class="file-input" aria-describedby={`${id}-hint`}
        onChange={(e) => {
          const input = e.currentTarget;
          if (input.files) uploads.add(input.files);
          input.value = ""; // the same file may be chosen again
        }} />
      <label for={id} class="file-button">{t("files.attach")}</label>
      <small id={`${id}-hint`} class="muted">{t("files.hint")}</small>
      {uploads.files.length ? (
        <ul class="pending-files" aria-label={t("files.pending")} aria-live="polite">
          {uploads.files.map((f) => (
            <li key={f.key} class={`pending-file pending-${f.state}`} data-state={f.state}>
              <span class="attachment-name">{f.name}</span>{" "}
              <span class="muted">({formatSize(f.size, locale)})</span>{" "}
              {f.state === "error"
                ? <span class="error" role="alert">{f.error}</span>
                : <span class="pending-state">{f.state === "uploading" ? t("files.uploading") : t("files.ready")}</span>}
              {" "}<button type="button" class="link remove-file" onClick={() => uploads.remove(f.key)}>
                {t("files.remove")}<span class="sr-only"> {f.name}</span></button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
