// Reports: the analytics report catalogue (analysts, supervisors).
import { useQuery } from "@urql/preact";
import { ReportCatalogueDocument } from "./reports.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";
import { reportColumnLabel, reportDescription, reportTitle } from "../../i18n/labels";

export function Reports() {
  const { t } = useI18n();
  const [q] = useQuery({ query: ReportCatalogueDocument });
  return (
    <section aria-labelledby="reports-title">
      <h2 id="reports-title">{t("reports.title")}</h2>
      <ErrorText error={q.error} />
      <ul class="cards">
        {(q.data?.reports ?? []).map((r) => (
          <li><h3>{reportTitle(t, r.name, r.title)}</h3><p>{reportDescription(t, r.name, r.description)}</p><p class="muted">{t("reports.groupBy", { dims: r.groupBy.map((d) => reportColumnLabel(t, d)).join(", ") })}</p></li>
        ))}
      </ul>
    </section>
  );
}
