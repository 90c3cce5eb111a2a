// CustomerLinks: in the customer 360, link and unlink the customer's
// identities (linkIdentity, unlinkIdentity) and merge a duplicate customer
// into this one (mergeCustomers); where the role may (supervisors,
// admins), undo a merge (undoMerge). Each mutation waits for the read
// models (READ_YOUR_WRITES), so the panel shows what the ledger recorded.
import { useState } from "preact/hooks";
import { useMutation, useQuery } from "@urql/preact";
import type { CombinedError } from "@urql/core";
import {
  CustomerCandidatesDocument, CustomerLinksDocument, LinkIdentityDocument, MergeCustomersDocument,
  UndoMergeDocument, UnlinkIdentityDocument,
} from "./customerlinks.generated";
import type { IdentityKind } from "../../graphql/types.generated";
import { errorKey } from "../../api/client";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";
import { identityKindLabel } from "../../i18n/labels";

const kinds: IdentityKind[] = ["PHONE", "EMAIL", "WECHAT", "DEVICE", "ACCOUNT"];
const key = (what: string) => `${what}-${crypto.randomUUID()}`;

/** LinkError reads a refused link as a sentence: a held identity says to merge instead. */
function LinkError({ error }: { error: CombinedError | undefined }) {
  const { t } = useI18n();
  if (errorKey(error) === "error.CONFLICT") return <p class="error" role="alert">{t("links.conflict")}</p>;
  return <ErrorText error={error} />;
}

export function CustomerLinks({ id, canUndoMerge = false }: { id: string; canUndoMerge?: boolean }) {
  const { t } = useI18n();
  const [q, refetch] = useQuery({ query: CustomerLinksDocument, variables: { id } });
  const [linking, link] = useMutation(LinkIdentityDocument);
  const [unlinking, unlink] = useMutation(UnlinkIdentityDocument);
  const [merging, merge] = useMutation(MergeCustomersDocument);
  const [undoing, undo] = useMutation(UndoMergeDocument);
  const [kind, setKind] = useState<IdentityKind>("EMAIL");
  const [value, setValue] = useState("");
  const [search, setSearch] = useState("");
  const [searched, setSearched] = useState("");
  const [done, setDone] = useState("");
  const [candidates] = useQuery({ query: CustomerCandidatesDocument, variables: { search: searched }, pause: !searched });
  const c = q.data?.customer;
  if (!c) return <ErrorText error={q.error} />;
  const after = (ok: boolean, message: string) => {
    if (!ok) return;
    setDone(message);
    refetch({ requestPolicy: "network-only" });
  };

  async function submitLink(e: Event) {
    e.preventDefault();
    const v = value.trim();
    if (!v) return;
    const r = await link({ customerId: id, kind, value: v, key: key("link") });
    if (!r.error) setValue("");
    after(!r.error, t("links.linked", { identity: `${identityKindLabel(t, kind)}: ${v}` }));
  }
  function submitSearch(e: Event) {
    e.preventDefault();
    setSearched(search.trim());
  }

  // A paused search keeps its last answer: list nothing once the search is cleared.
  const others = searched ? (candidates.data?.customers.nodes ?? []).filter((o) => o.id !== id) : [];
  return (
    <section class="links" aria-labelledby="links-title">
      <h3 id="links-title">{t("links.title")}</h3>
      <ul class="identities">
        {c.identities.map((i) => (
          <li key={`${i.kind}:${i.value}`} data-identity={`${i.kind}:${i.value}`}>
            <span>{identityKindLabel(t, i.kind)}: {i.value}</span>{" "}
            <button type="button" class="small" disabled={unlinking.fetching}
              aria-label={t("links.unlinkLabel", { identity: `${identityKindLabel(t, i.kind)}: ${i.value}` })}
              onClick={async () => {
                const r = await unlink({ customerId: id, kind: i.kind, value: i.value, key: key("unlink") });
                after(!r.error, t("links.unlinked", { identity: `${identityKindLabel(t, i.kind)}: ${i.value}` }));
              }}>{t("links.unlink")}</button>
          </li>
        ))}
      </ul>
      <ErrorText error={unlinking.error} />
      <form class="row" onSubmit={submitLink}>
        <label for="link-kind">{t("links.kind")}</label>
        <select id="link-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as IdentityKind)}>
          {kinds.map((k) => <option value={k}>{identityKindLabel(t, k)}</option>)}
        </select>
        <label for="link-value">{t("links.value")}</label>
        <input id="link-value" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={linking.fetching}>{t("links.link")}</button>
      </form>
      <LinkError error={linking.error} />

      <h3 id="merge-title">{t("links.mergeTitle")}</h3>
      <form class="row" onSubmit={submitSearch} aria-labelledby="merge-title">
        <label for="merge-search">{t("links.search")}</label>
        <input id="merge-search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <button type="submit">{t("links.find")}</button>
      </form>
      <ErrorText error={candidates.error} />
      {searched && !candidates.fetching && others.length === 0 ? <p class="muted">{t("links.noneFound")}</p> : null}
      <ul class="candidates">
        {others.map((o) => {
          const name = o.displayName || o.identities[0]?.value || o.id;
          return (
            <li key={o.id} data-customer={o.id}>
              <span>{name} · {o.identities.map((i) => i.value).join(", ")}</span>{" "}
              <button type="button" class="small" disabled={merging.fetching}
                aria-label={t("links.mergeLabel", { name })}
                onClick={async () => {
                  const r = await merge({ sourceId: o.id, targetId: id, reason: "duplicate found in the customer 360", key: key("merge") });
                  if (!r.error) setSearched("");
                  after(!r.error, t("links.merged", { name }));
                }}>{t("links.merge")}</button>
            </li>
          );
        })}
      </ul>
      <ErrorText error={merging.error} />
      {canUndoMerge && c.mergedFrom.length ? (
        <>
          <h3 id="undo-title">{t("links.mergedFrom")}</h3>
          <ul aria-labelledby="undo-title">
            {c.mergedFrom.map((src) => (
              <li key={src}>
                <span>{src}</span>{" "}
                <button type="button" class="small" disabled={undoing.fetching}
                  aria-label={t("links.undoLabel", { id: src })}
                  onClick={async () => {
                    const r = await undo({ sourceId: src, reason: "merge undone from the customer 360", key: key("undo") });
                    after(!r.error, t("links.undone", { id: src }));
                  }}>{t("links.undo")}</button>
              </li>
            ))}
          </ul>
          <ErrorText error={undoing.error} />
        </>
      ) : null}
      <p class="ok" role="status">{done}</p>
    </section>
  );
}
