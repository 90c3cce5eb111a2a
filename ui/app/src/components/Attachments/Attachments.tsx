// Attachments: the files that came with a message or a ticket note, each
// with its name, size and type; a download link when the signed-in user
// may have its bytes, and for images and PDFs an "open" link that shows it
// in a new tab (the server serves only those inline); a quarantined file
// says which malware signature it matched and has no link; a file whose
// bytes were not kept (a ledger in clear, or a message from before files
// were kept) says so.
import type { Attachment } from "../../graphql/types.generated";
import { useI18n, type Locale } from "../../i18n";

export type AttachmentInfo = Pick<Attachment, "name" | "contentType" | "size" | "sha256"> &
  Partial<Pick<Attachment, "quarantined" | "downloadUrl">>;

/** formatSize is a byte count as people read it: B, kB or MB, in the locale's digits. */
export function formatSize(bytes: number, locale: Locale): string {
  const [value, unit, display] = bytes < 1024 ? [bytes, "byte", "narrow"] as const
    : bytes < 1024 * 1024 ? [bytes / 1024, "kilobyte", "short"] as const
    : [bytes / (1024 * 1024), "megabyte", "short"] as const;
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: display, maximumFractionDigits: 1 }).format(value);
}

/** opensInline: the types the server serves inline (?inline=1), as it sniffed them. */
export function opensInline(contentType: string): boolean {
  const t = contentType.toLowerCase();
  return t.startsWith("image/") || t === "application/pdf";
}

function inlineUrl(url: string) {
  return url + (url.includes("?") ? "&" : "?") + "inline=1";
}

export function Attachments({ files }: { files: readonly AttachmentInfo[] }) {
  const { t, locale } = useI18n();
  if (!files.length) return null;
  return (
    <ul class="attachments" aria-label={t("files.list")}>
      {files.map((f) => {
        const state = f.quarantined ? "quarantined" : f.downloadUrl ? "kept" : "missing";
        return (
          <li key={f.sha256 + f.name} class={`attachment attachment-${state}`} data-sha256={f.sha256} data-state={state}>
            <span class="attachment-name">{f.name}</span>{" "}
            <span class="muted attachment-meta">({formatSize(f.size, locale)} · {f.contentType || t("files.unknownType")})</span>
            {f.quarantined ? (
              <strong class="error quarantine-mark"> {t("files.quarantined", { signature: f.quarantined })}</strong>
            ) : f.downloadUrl ? (
              <span class="attachment-links">
                {" "}<a class="attachment-download" href={f.downloadUrl} download={f.name}>
                  {t("files.download")}<span class="sr-only"> {f.name}</span></a>
                {opensInline(f.contentType) ? <>
                  {" · "}<a class="attachment-open" href={inlineUrl(f.downloadUrl)} target="_blank" rel="noopener">
                    {t("files.open")}<span class="sr-only"> {f.name} {t("files.newTab")}</span></a>
                </> : null}
              </span>
            ) : (
              <span class="muted attachment-not-kept"> — {t("files.notKept")}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
