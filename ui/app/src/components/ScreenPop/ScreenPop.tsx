// ScreenPop: a phone call the router offers to the agent's phone opens the
// caller's customer 360 before the agent answers. The callOffered
// subscription brings the call (at the offer and again when the phone
// rings); interactionUpdated then follows it to the answer and the end.
import { useSubscription } from "@urql/preact";
import { CallOfferedDocument, OfferedCallUpdatedDocument, type OfferedCallFragment } from "./screenpop.generated";
import { ErrorText } from "../ErrorText";
import { useI18n } from "../../i18n";
import { IdentityNote } from "../IdentityNote/IdentityNote";

/** useCallOffer follows the calls offered to an agent's phone: the latest one, or null. */
export function useCallOffer(agentId: string) {
  const [s] = useSubscription({ query: CallOfferedDocument, variables: { agentId } });
  return { call: s.data?.callOffered ?? null, error: s.error };
}

/** ScreenPop announces the offered call: who calls, and whether it rings, is answered or ended. */
export function ScreenPop({ call }: { call: OfferedCallFragment }) {
  const { t } = useI18n();
  const [s] = useSubscription({ query: OfferedCallUpdatedDocument, variables: { id: call.id } });
  const live = s.data?.interactionUpdated ?? call;
  const state = live.callEndedAt || live.status === "CLOSED" || live.status === "ABANDONED" ? "ended"
    : live.answeredAt ? "answered" : "ringing";
  const caller = live.customer.displayName || live.identity.value;
  return (
    <section class={`screen-pop ${state}`} role="status" aria-labelledby="screen-pop-title" data-call={live.id} data-state={state}>
      <h2 id="screen-pop-title">{t("screenPop.title", { caller })}</h2>
      <p>
        <span class="number">{live.identity.value}</span>
        {" · "}
        <span class="state">{t(`screenPop.${state}`)}</span>
      </p>
      <IdentityNote check={live.identityCheck} />
      <ErrorText error={s.error} />
    </section>
  );
}
