// Uploading a file an agent attaches, per the server's contract
// (graphql/files_upload.go): POST /files/uploads?interaction=ID&name=NAME
// (or ticket=ID) with the file as the raw body, the session cookie and the
// CSRF header; the answer's token goes in the mutation's `files`.

/** What the file is attached to: an interaction's reply or a ticket's note. */
export type UploadTarget = { kind: "interaction" | "ticket"; id: string };

/** The server's answer to an upload it kept. */
export type Uploaded = { token: string; name: string; contentType: string; size: number; sha256: string };

export type UploadResult =
  | { ok: true; file: Uploaded }
  // status 0: the server was not reached (or the upload was cancelled);
  // message: the server's own sentence, when it gave one.
  | { ok: false; status: number; message: string };

export async function uploadFile(target: UploadTarget, file: File, signal?: AbortSignal): Promise<UploadResult> {
  const q = new URLSearchParams({ [target.kind]: target.id, name: file.name });
  let r: Response;
  try {
    r = await fetch(`/files/uploads?${q}`, {
      method: "POST", credentials: "same-origin", signal, body: file,
      // The server sniffs the type; the browser's guess only labels the body.
      headers: { "X-Ledger-CSRF": "1", "Content-Type": file.type || "application/octet-stream" },
    });
  } catch {
    return { ok: false, status: 0, message: "" };
  }
  if (r.ok) return { ok: true, file: (await r.json()) as Uploaded };
  const text = (await r.text().catch(() => "")).trim();
  return { ok: false, status: r.status, message: text };
}
