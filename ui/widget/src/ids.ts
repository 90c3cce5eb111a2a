// Random ids. crypto.getRandomValues works on plain-http pages too, where
// crypto.randomUUID is missing (it needs a secure context).

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

// newVisitorId is the browser's bearer credential for its conversation:
// 128 random bits, well inside the server's 16-128 [A-Za-z0-9_-].
export function newVisitorId(): string {
  return "v-" + randomHex(16);
}

// newMessageId is unique per message: resending the same message reuses
// it (the ledger records it once); a new message never does (a reused id
// with other content is a conflict).
export function newMessageId(): string {
  return "c-" + randomHex(16);
}

const visitorIdPattern = /^[A-Za-z0-9_-]{16,128}$/;

export function validVisitorId(s: string | null): s is string {
  return s !== null && visitorIdPattern.test(s);
}
