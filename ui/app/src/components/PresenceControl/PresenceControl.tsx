// PresenceControl: the agent's own presence. Its value comes from the
// inbox's agentUpdated subscription, so a change made elsewhere (by a
// supervisor, another tab) shows at once; and from the answer to the
// agent's own change, whichever is newer, so that a change made before
// the subscription was running on the server still shows.
import { useState } from "preact/hooks";
import { useMutation } from "@urql/preact";
import { SetPresenceDocument } from "./presence.generated";
import type { Presence } from "../../graphql/types.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";

export function PresenceControl(props: { presence: Presence | undefined; since: string | null | undefined }) {
  const { t, time } = useI18n();
  const [reason, setReason] = useState("");
  const [result, setPresence] = useMutation(SetPresenceDocument);
  const set = (p: Presence, r?: string) => setPresence({ presence: p, reason: r || null });
  const { presence, since } = newest(props, result.data?.setPresence?.agent);
  return (
    <section class="presence" aria-labelledby="presence-title">
      <h2 id="presence-title">{t("presence.label")}</h2>
      <p class={`presence-now presence-${presence ?? "OFFLINE"}`} role="status" data-presence={presence}>
        {presence ? t(`presence.${presence}`) : t("app.loading")}
        {since ? <small> {t("presence.since", { time: time(since) })}</small> : null}
      </p>
      <div class="row">
        <button type="button" aria-pressed={presence === "AVAILABLE"} disabled={result.fetching}
          onClick={() => set("AVAILABLE")}>{t("presence.AVAILABLE")}</button>
        <button type="button" aria-pressed={presence === "OFFLINE"} disabled={result.fetching}
          onClick={() => set("OFFLINE")}>{t("presence.OFFLINE")}</button>
      </div>
      <form class="row" onSubmit={(e) => { e.preventDefault(); set("BREAK", reason.trim()); }}>
        <label for="presence-reason" class="sr-only">{t("presence.reason")}</label>
        <input id="presence-reason" value={reason} placeholder={t("presence.reasonPlaceholder")}
          aria-label={t("presence.reason")} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="submit" aria-pressed={presence === "BREAK"} disabled={result.fetching}>{t("presence.setAway")}</button>
      </form>
      <ErrorText error={result.error} />
    </section>
  );
}

type Seen = { presence: Presence | undefined; since: string | null | undefined };

/** newest is the later of two readings of the presence, by when it was set. */
function newest(live: Seen, own: { presence: Presence; presenceSince?: string | null } | null | undefined): Seen {
  if (!own) return live;
  const ownAt = Date.parse(own.presenceSince ?? "");
  const liveAt = Date.parse(live.since ?? "");
  const ownIsNewer = live.presence === undefined || Number.isNaN(liveAt) || ownAt > liveAt;
  return ownIsNewer ? { presence: own.presence, since: own.presenceSince } : live;
}
