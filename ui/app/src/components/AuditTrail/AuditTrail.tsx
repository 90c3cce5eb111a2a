// AuditTrail: a stream's events as of a moment, with actors and hashes,
// the streams a ticket, interaction or customer is recorded in (StreamFinder),
// and a run of verifyLedger.
import { useState } from "preact/hooks";
import { useQuery } from "@urql/preact";
import { AuditTrailDocument, VerifyLedgerDocument } from "./audit.generated";
import { StreamFinder } from "./StreamFinder";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

/** localInput writes an instant as a datetime-local value (the browser's zone, to the millisecond). */
function localInput(iso: string) {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 23);
}

export function AuditTrail() {
  const { t, time } = useI18n();
  const [stream, setStream] = useState("");
  const [asOf, setAsOf] = useState("");
  const [shown, setShown] = useState<{ stream: string; asOf: string | null } | null>(null);
  const [trail] = useQuery({ query: AuditTrailDocument, variables: shown ?? { stream: "" }, pause: !shown });
  const [verify, runVerify] = useQuery({ query: VerifyLedgerDocument, pause: true, requestPolicy: "network-only" });
  function show(st: string, at: string | null) {
    setStream(st);
    setAsOf(at ? localInput(at) : "");
    setShown({ stream: st, asOf: at });
  }
  const v = verify.data?.verifyLedger;
  const a = trail.data?.auditTrail;
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t("audit.title")}</h2>
      <StreamFinder onShow={(st) => show(st, null)} />
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        if (stream.trim()) setShown({ stream: stream.trim(), asOf: asOf ? new Date(asOf).toISOString() : null });
      }}>
        <label for="audit-stream">{t("audit.stream")}</label>
        <input id="audit-stream" value={stream} placeholder={t("audit.streamHint")} onInput={(e) => setStream(e.currentTarget.value)} />
        <label for="audit-asof">{t("audit.asOf")}</label>
        <input id="audit-asof" type="datetime-local" step={0.001} value={asOf} onInput={(e) => setAsOf(e.currentTarget.value)} />
        <button type="submit">{t("audit.show")}</button>
        <button type="button" class="audit-now" onClick={() => { if (stream.trim()) show(stream.trim(), null); }}>{t("audit.now")}</button>
      </form>
      <ErrorText error={trail.error} />
      {a ? (
        <>
          <p class="audit-head">{a.stream} · {time(a.asOf)} · {t("audit.events", { count: a.eventCount })}</p>
          <h3 id="audit-state-title">{t("audit.state")}</h3>
          <pre class="audit-state" aria-labelledby="audit-state-title" tabIndex={0}>{JSON.stringify(a.state, null, 2)}</pre>
          <table>
            <thead><tr><th>{t("audit.position")}</th><th>{t("audit.type")}</th><th>{t("audit.actor")}</th><th>{t("audit.recorded")}</th><th>{t("audit.hash")}</th><th>{t("audit.stateAfter")}</th><th><span class="sr-only">{t("audit.asOfEvent")}</span></th></tr></thead>
            <tbody>{a.events.nodes.map((e) => (
              <tr><td>{e.position}</td><td>{e.type}</td><td>{e.metadata.actor ?? ""}</td><td>{time(e.recordedAt)}</td><td><code title={`${t("audit.prevHash")}: ${e.prevHash || "—"}`}>{e.hash.slice(0, 16)}…</code></td>
                <td><details class="state-after"><summary>{t("audit.stateAfter")}<span class="sr-only"> {e.position}</span></summary>
                  <pre tabIndex={0}>{JSON.stringify(e.stateAfter, null, 2)}</pre></details></td>
                <td><button type="button" class="asof-event" onClick={() => show(a.stream, e.recordedAt)}
                  aria-label={`${t("audit.asOfEvent")}: ${e.position} ${e.type}`}>{t("audit.asOfEvent")}</button></td></tr>
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
