// ConfirmPromise: on a call, send the customer a written confirmation of
// what the agent promised (confirmPromise), on their written channel.
import { useState } from "preact/hooks";
import { useMutation, useQuery } from "@urql/preact";
import { ConfirmPromiseDocument, PromiseInteractionDocument } from "./confirmPromise.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

export function ConfirmPromise({ interactionId }: { interactionId: string }) {
  const { t } = useI18n();
  const [q] = useQuery({ query: PromiseInteractionDocument, variables: { id: interactionId } });
  const [res, confirm] = useMutation(ConfirmPromiseDocument);
  const [promise, setPromise] = useState("");
  if (q.data?.interaction?.channel !== "PHONE") return null;
  const sent = res.data?.confirmPromise;
  return (
    <details class="confirm-promise">
      <summary>{t("promise.title")}</summary>
      <form onSubmit={(e) => {
        e.preventDefault();
        if (promise.trim()) confirm({ interactionId, promise: promise.trim(), key: `promise-${crypto.randomUUID()}` })
          .then((r) => { if (!r.error) setPromise(""); });
      }}>
        <label for="promise-text">{t("promise.label")}</label>
        <textarea id="promise-text" rows={2} value={promise} onInput={(e) => setPromise(e.currentTarget.value)} />
        <button type="submit" disabled={res.fetching || !promise.trim()}>{res.fetching ? t("promise.sending") : t("promise.send")}</button>
        <ErrorText error={res.error} />
        {sent && !res.error ? <p role="status" class="ok">{t("promise.sent", { channel: t(`channel.${sent.channel}`) })}</p> : null}
      </form>
    </details>
  );
}
