// MaskedCustomers: the customers as the API shows them to an analyst (names
// and handles masked by the server; the page masks nothing itself and
// cannot search, which the API forbids analysts).
import { useState } from "preact/hooks";
import { useQuery } from "@urql/preact";
import { AnalystCustomersDocument } from "./analyst.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";
import { identityKindLabel, tierLabel } from "../../i18n/labels";

export function MaskedCustomers() {
  const { t } = useI18n();
  const [after, setAfter] = useState<string | null>(null);
  const [q] = useQuery({ query: AnalystCustomersDocument, variables: { first: 20, after } });
  const page = q.data?.customers;
  return (
    <section aria-labelledby="analyst-customers-title" class="analyst-customers">
      <h2 id="analyst-customers-title">{t("analyst.customersTitle")}</h2>
      <p class="muted">{t("analyst.maskedNote")}</p>
      <ErrorText error={q.error} />
      {page ? (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t("analyst.customersTitle")}>
          <table class="customer-table">
            <thead><tr>
              <th scope="col">{t("analyst.customer")}</th><th scope="col">{t("analyst.tier")}</th>
              <th scope="col">{t("analyst.identities")}</th><th scope="col" class="num">{t("analyst.interactions")}</th>
            </tr></thead>
            <tbody>
              {page.nodes.map((c) => (
                <tr data-customer={c.id}>
                  <td class="customer-name">{c.displayName}</td>
                  <td>{tierLabel(t, c.tier)}</td>
                  <td class="customer-ids">{c.identities.map((i) => `${identityKindLabel(t, i.kind)}: ${i.value}`).join(", ")}</td>
                  <td class="num">{c.interactionCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div class="row">
        {after ? <button type="button" onClick={() => setAfter(null)}>{t("analyst.firstPage")}</button> : null}
        {page?.pageInfo.hasNextPage ? <button type="button" onClick={() => setAfter(page.pageInfo.endCursor ?? null)}>{t("analyst.nextPage")}</button> : null}
      </div>
    </section>
  );
}
