// AuditTrail: a stream's events as of a moment, with actors and hashes;
// and a run of verifyLedger.
import { useState } from "preact/hooks";
import { useQuery } from "@urql/preact";
import { AuditTrailDocument, VerifyLedgerDocument } from "./audit.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

export function AuditTrail() {
  const { t, time } = useI18n();
  const [stream, setStream] = useState("");
  const [asOf, setAsOf] = useState("");
  const [shown, setShown] = useState<{ stream: string; asOf: string | null } | null>(null);
  const [trail] = useQuery({ query: AuditTrailDocument, variables: shown ?? { stream: "" }, pause: !shown });
  const [verify, runVerify] = useQuery({ query: VerifyLedgerDocument, pause: true, requestPolicy: "network-only" });
  const v = verify.data?.verifyLedger;
  const a = trail.data?.auditTrail;
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t("audit.title")}</h2>
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        if (stream.trim()) setShown({ stream: stream.trim(), asOf: asOf ? new Date(asOf).toISOString() : null });
      }}>
        <label for="audit-stream">{t("audit.stream")}</label>
        <input id="audit-stream" value={stream} placeholder={t("audit.streamHint")} onInput={(e) => setStream(e.currentTarget.value)} />
        <label for="audit-asof">{t("audit.asOf")}</label>
        <input id="audit-asof" type="datetime-local" step={1} value={asOf} onInput={(e) => setAsOf(e.currentTarget.value)} />
        <button type="submit">{t("audit.show")}</button>
      </form>
      <ErrorText error={trail.error} />
      {a ? (
        <>
          <p>{a.stream} · {time(a.asOf)} · {t("audit.events", { count: a.eventCount })}</p>
          <table>
            <thead><tr><th>{t("audit.position")}</th><th>{t("audit.type")}</th><th>{t("audit.actor")}</th><th>{t("audit.recorded")}</th><th>{t("audit.hash")}</th></tr></thead>
            <tbody>{a.events.nodes.map((e) => (
              <tr><td>{e.position}</td><td>{e.type}</td><td>{e.metadata.actor ?? ""}</td><td>{time(e.recordedAt)}</td><td><code>{e.hash.slice(0, 16)}…</code></td></tr>
            ))}</tbody>
          </table>
        </>
      ) : null}
      <button type="button" onClick={() => runVerify()} disabled={verify.fetching}>
        {verify.fetching ? t("audit.verifying") : t("audit.verify")}
      </button>
      <ErrorText error={verify.error} />
      {v ? <p role="status" class={v.ok ? "ok" : "error"}>{v.ok
        ? t("audit.ok", { events: v.checkedEvents, streams: v.streams })
        : t("audit.bad", { position: v.firstBadEvent?.position ?? "?", stream: v.firstBadEvent?.stream ?? "", reason: v.firstBadEvent?.reason ?? "" })}</p> : null}
    </section>
  );
}
