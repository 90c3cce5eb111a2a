// IdentityNote: how far the channel vouched for who the customer says they
// are, shown where the agent looks first (the screen pop, the top of the
// conversation), so they know before disclosing account details. A number
// only the caller vouched for (CLAIMED), a mail from a domain that vouches
// for nothing (UNVERIFIED) and a mail that failed DMARC (FAILED, kept
// apart from the address's owner) are warnings; a mail that passed DMARC
// (VERIFIED) says so; the rest say nothing.
import type { IdentityCheck } from "../../graphql/types.generated";
import { useI18n } from "../../i18n";

const notes: Partial<Record<IdentityCheck, { cls: string; key: "identity.claimed" | "identity.unverified" | "identity.failed" | "identity.verified" }>> = {
  CLAIMED: { cls: "identity-claimed", key: "identity.claimed" },
  UNVERIFIED: { cls: "identity-claimed identity-unverified", key: "identity.unverified" },
  FAILED: { cls: "identity-claimed identity-failed", key: "identity.failed" },
  VERIFIED: { cls: "identity-verified", key: "identity.verified" },
};

/** IdentityNote says how far the customer's identity was vouched for, or nothing. */
export function IdentityNote({ check }: { check: IdentityCheck }) {
  const { t } = useI18n();
  const note = notes[check];
  if (!note) return null;
  return <p class={note.cls} role={note.cls === "identity-verified" ? undefined : "note"} data-identity-check={check}>{t(note.key)}</p>;
}
