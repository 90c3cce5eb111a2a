// The session, per the shared contract: POST /auth/login sets an HttpOnly
// cookie the page never sees; GET /auth/me says who is signed in.
export type Role = "AGENT" | "SUPERVISOR" | "ANALYST" | "AUDITOR" | "ADMIN";
export type Me = { subject: string; role: Role; displayName: string };

/** normaliseRole accepts "agent" or "AGENT". */
function normalise(m: { subject: string; role: string; displayName?: string }): Me {
  return { subject: m.subject, role: m.role.toUpperCase() as Role, displayName: m.displayName || m.subject };
}

const headers = { "Content-Type": "application/json", "X-Ledger-CSRF": "1" };

export async function me(): Promise<Me | null> {
  const r = await fetch("/auth/me", { credentials: "same-origin" });
  if (r.status === 401) return null;
  if (!r.ok) throw new Error(`auth/me ${r.status}`);
  return normalise(await r.json());
}

export type LoginResult =
  | { ok: true; me: Me }
  | { ok: false; kind: "failed" | "rateLimited" | "unreachable"; retryAfter?: number };

export async function login(subject: string, password: string): Promise<LoginResult> {
  let r: Response;
  try {
    r = await fetch("/auth/login", {
      method: "POST", credentials: "same-origin", headers, body: JSON.stringify({ subject, password }),
    });
  } catch {
    return { ok: false, kind: "unreachable" };
  }
  if (r.ok) return { ok: true, me: normalise(await r.json()) };
  if (r.status === 429) return { ok: false, kind: "rateLimited", retryAfter: Number(r.headers.get("Retry-After")) || 60 };
  if (r.status === 401 || r.status === 400) return { ok: false, kind: "failed" };
  return { ok: false, kind: "unreachable" };
}

export async function logout(): Promise<void> {
  await fetch("/auth/logout", { method: "POST", credentials: "same-origin", headers }).catch(() => undefined);
}
