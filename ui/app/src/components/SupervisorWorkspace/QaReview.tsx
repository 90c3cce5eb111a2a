// QaReview: a scored interaction's scorecards, criterion by criterion,
// with a supervisor's override (overrideQaCriterion) of any result.
import { useState } from "preact/hooks";
import { useMutation, useQuery } from "@urql/preact";
import { SupervisorOverrideQaDocument, SupervisorQaReviewDocument } from "./qa.generated";
import type { QaResult } from "../../graphql/types.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";
import { qaKindLabel } from "../../i18n/labels";

const results: QaResult[] = ["PASS", "FAIL", "NA"];
const pct = (score: number) => `${(score / 100).toFixed(2)} %`;

export function QaReview() {
  const { t } = useI18n();
  const [input, setInput] = useState("");
  const [id, setId] = useState("");
  const [q, refetch] = useQuery({ query: SupervisorQaReviewDocument, variables: { id }, pause: !id, requestPolicy: "network-only" });
  const cards = id ? q.data?.qaReview : undefined;
  return (
    <section aria-labelledby="qa-title">
      <h2 id="qa-title">{t("qa.title")}</h2>
      <form class="row" onSubmit={(e) => { e.preventDefault(); setId(input.trim()); }}>
        <label for="qa-interaction">{t("qa.interaction")}</label>
        <input id="qa-interaction" value={input} onInput={(e) => setInput(e.currentTarget.value)} />
        <button type="submit">{t("qa.open")}</button>
      </form>
      <ErrorText error={id ? q.error : undefined} />
      {cards && cards.length === 0 ? <p class="muted" role="status">{t("qa.notScored")}</p> : null}
      {(cards ?? []).map((c) => (
        <div class="qa-card" data-scorecard={c.scorecard}>
          <h3>{t("qa.scorecard", { scorecard: c.scorecard })}: <span class="qa-score" data-score={c.score}>{pct(c.score)}</span></h3>
          <p class="muted">{t("qa.meta", { agent: c.agentId ?? "—", channel: t(`channel.${c.channel}`) })}</p>
          <table class="qa-criteria">
            <thead><tr>
              <th scope="col">{t("qa.criterion")}</th><th scope="col">{t("qa.kind")}</th><th scope="col" class="num">{t("qa.weight")}</th>
              <th scope="col">{t("qa.result")}</th><th scope="col">{t("qa.override")}</th>
            </tr></thead>
            <tbody>{c.criteria.map((cr) => (
              <CriterionRow key={`${c.scorecard}/${cr.id}`} interactionId={c.interactionId} scorecard={c.scorecard} criterion={cr}
                onDone={() => refetch({ requestPolicy: "network-only" })} />
            ))}</tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

type Criterion = { id: string; kind: string; weight: number; result: QaResult; overridden: boolean };

function CriterionRow({ interactionId, scorecard, criterion: cr, onDone }: { interactionId: string; scorecard: string; criterion: Criterion; onDone: () => void }) {
  const { t } = useI18n();
  const [result, setResult] = useState<QaResult>(cr.result === "PASS" ? "FAIL" : "PASS");
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const [res, override] = useMutation(SupervisorOverrideQaDocument);
  async function submit(e: Event) {
    e.preventDefault();
    if (!reason.trim()) { setMissing(true); return; }
    setMissing(false);
    const r = await override({ id: interactionId, scorecard, criterion: cr.id, result, reason: reason.trim() });
    if (!r.error) { setReason(""); setResult(result === "PASS" ? "FAIL" : "PASS"); onDone(); }
  }
  const rid = `qa-result-${scorecard}-${cr.id}`, why = `qa-reason-${scorecard}-${cr.id}`;
  return (
    <tr data-criterion={cr.id}>
      <td>{cr.id}</td><td>{qaKindLabel(t, cr.kind)}</td><td class="num">{cr.weight}</td>
      <td data-result={cr.result}>{t(`qa.result.${cr.result}`)}{cr.overridden ? ` (${t("qa.overridden")})` : ""}</td>
      <td>
        <form class="row" onSubmit={submit}>
          <label class="sr-only" for={rid}>{t("qa.newResult", { criterion: cr.id })}</label>
          <select id={rid} value={result} onChange={(e) => setResult(e.currentTarget.value as QaResult)}>
            {results.map((x) => <option value={x}>{t(`qa.result.${x}`)}</option>)}
          </select>
          <label class="sr-only" for={why}>{t("qa.reasonFor", { criterion: cr.id })}</label>
          <input id={why} value={reason} placeholder={t("qa.reason")} onInput={(e) => setReason(e.currentTarget.value)} />
          <button type="submit" disabled={res.fetching}>{t("qa.apply")}</button>
        </form>
        {missing ? <p class="error" role="alert">{t("qa.reasonRequired")}</p> : null}
        <ErrorText error={res.error} />
      </td>
    </tr>
  );
}
