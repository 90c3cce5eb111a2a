// SupervisorCustomers: a supervisor finds a customer by name, handle or id
// and opens their 360, where (unlike agents) they may also undo a merge.
import { useState } from "preact/hooks";
import { useQuery } from "@urql/preact";
import { SupervisorCustomerSearchDocument } from "./supervisorcustomers.generated";
import { Customer360 } from "../Customer360/Customer360";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

export function SupervisorCustomers() {
  const { t } = useI18n();
  const [search, setSearch] = useState("");
  const [searched, setSearched] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const [q] = useQuery({ query: SupervisorCustomerSearchDocument, variables: { search: searched }, pause: !searched });
  const found = q.data?.customers.nodes ?? [];
  return (
    <section aria-labelledby="supc-title" class="sup-customers">
      <h2 id="supc-title">{t("supCustomers.title")}</h2>
      <form class="row" onSubmit={(e) => { e.preventDefault(); setSearched(search.trim()); }}>
        <label for="supc-search">{t("supCustomers.search")}</label>
        <input id="supc-search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <button type="submit">{t("supCustomers.find")}</button>
      </form>
      <ErrorText error={q.error} />
      {searched && q.data && !found.length ? <p class="muted" role="status">{t("supCustomers.none")}</p> : null}
      <ul class="supc-results">
        {found.map((c) => {
          const name = c.displayName || c.identities[0]?.value || c.id;
          return (
            <li key={c.id} data-customer={c.id}>
              <span>{name} · {c.identities.map((i) => i.value).join(", ")}</span>{" "}
              <button type="button" class="small" aria-label={t("supCustomers.openLabel", { name })}
                aria-pressed={open === c.id} onClick={() => setOpen(c.id)}>{t("supCustomers.open")}</button>
            </li>
          );
        })}
      </ul>
      {open ? <Customer360 key={open} id={open} canUndoMerge /> : null}
    </section>
  );
}
