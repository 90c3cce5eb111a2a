// Files over HTTP, beside the socket (see channels/webchat/files.go): the
// visitor uploads a file as a message of its own, and downloads the files
// of its conversation. Both carry the visitor id (and the identity
// assertion) in headers, as the hello does: never in a URL, which ends up
// in logs. That is also why pictures are fetched into blob: URLs rather
// than given to <img src>, which cannot send headers.

import type { AckFrame } from "./conn";

// maxFileBytes is the server's limit (webchat Config.MaxFileBytes): the
// widget checks it first to say so at once, but the server decides.
export const maxFileBytes = 10 << 20;

// thumbnailTypes are the pictures shown as thumbnails; other files are
// links.
const thumbnailTypes = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

export function isPicture(contentType: string): boolean {
  return thumbnailTypes.has(contentType.split(";")[0].trim().toLowerCase());
}

export type UploadResult =
  | { kind: "ack"; ack: AckFrame }
  // retry: the file was not recorded; send it again, under the same id,
  // after that many seconds (a rate limit, a ledger that cannot write or
  // scan now, the network).
  | { kind: "retry"; after: number; status: number; message: string }
  // failed: refused for good (too large, a type that may not be sent).
  | { kind: "failed"; status: number; message: string };

export interface Visitor {
  visitorId: string;
  identity?: string;
}

// filesURL is the file endpoint beside the socket's URL.
export function filesURL(socketURL: string): string {
  const u = new URL(socketURL);
  u.protocol = u.protocol === "wss:" ? "https:" : "http:";
  u.pathname = u.pathname.replace(/\/?$/, "/files");
  return u.toString();
}

export class FileClient {
  constructor(
    private readonly base: string,
    private readonly visitor: Visitor,
  ) {}

  private headers(): Record<string, string> {
    const h: Record<string, string> = { "X-Visitor-Id": this.visitor.visitorId };
    if (this.visitor.identity) h["X-Identity-Assertion"] = this.visitor.identity;
    return h;
  }

  // upload sends the file as the message id; the same id again records it
  // once.
  async upload(id: string, name: string, file: Blob): Promise<UploadResult> {
    const url = `${this.base}?id=${encodeURIComponent(id)}&name=${encodeURIComponent(name)}`;
    let resp: Response;
    try {
      resp = await fetch(url, { method: "POST", headers: this.headers(), body: file, credentials: "omit", mode: "cors" });
    } catch (e) {
      return { kind: "retry", after: 0, status: 0, message: String(e) }; // offline, or the server is away
    }
    if (resp.ok) {
      const ack = (await resp.json().catch(() => null)) as AckFrame | null;
      if (ack?.type === "ack") return { kind: "ack", ack };
      return { kind: "retry", after: 0, status: resp.status, message: "unexpected answer" };
    }
    const message = await errorMessage(resp);
    if (transient.has(resp.status)) {
      return { kind: "retry", after: retryAfter(resp), status: resp.status, message };
    }
    return { kind: "failed", status: resp.status, message };
  }

  // fetchFile downloads a file of the conversation.
  async fetchFile(sha256: string): Promise<Blob> {
    const resp = await fetch(`${this.base}/${encodeURIComponent(sha256)}`, { headers: this.headers(), credentials: "omit", mode: "cors" });
    if (!resp.ok) throw new Error(await errorMessage(resp));
    return resp.blob();
  }
}

// transient are the refusals to send again: a rate limit, a ledger that
// cannot write or scan now, a proxy in front of it that cannot reach it.
const transient = new Set([429, 502, 503, 504]);

async function errorMessage(resp: Response): Promise<string> {
  try {
    const body = (await resp.json()) as { error?: { message?: string } };
    if (body?.error?.message) return body.error.message;
  } catch {
    // not the ledger's JSON (a proxy's page): the status says enough
  }
  return `HTTP ${resp.status}`;
}

// retryAfter reads Retry-After in seconds (0 when absent: the caller
// backs off by itself).
function retryAfter(resp: Response): number {
  const s = Number(resp.headers.get("Retry-After"));
  return Number.isFinite(s) && s > 0 ? s : 0;
}

// Thumbnails keeps one blob: URL per picture shown, fetched once, and
// revokes the URLs of pictures no longer shown.
export class Thumbnails {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly made = new Map<string, string>();

  constructor(private readonly client: FileClient) {}

  url(sha256: string): Promise<string> {
    let p = this.urls.get(sha256);
    if (!p) {
      p = this.client.fetchFile(sha256).then((b) => {
        const u = URL.createObjectURL(b);
        if (this.urls.get(sha256) === p) this.made.set(sha256, u);
        else URL.revokeObjectURL(u); // dropped while it loaded
        return u;
      });
      p.catch(() => {}); // the picture shows its name instead; not fetched again
      this.urls.set(sha256, p);
    }
    return p;
  }

  // keepOnly revokes the URLs of every picture not in shown.
  keepOnly(shown: Set<string>): void {
    for (const sha of [...this.urls.keys()]) {
      if (shown.has(sha)) continue;
      this.urls.delete(sha);
      const u = this.made.get(sha);
      if (u) URL.revokeObjectURL(u);
      this.made.delete(sha);
    }
  }
}

// saveBlob hands a fetched file to the browser as a download under its
// name.
export function saveBlob(parent: Node, blob: Blob, name: string): string {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  parent.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return url;
}
