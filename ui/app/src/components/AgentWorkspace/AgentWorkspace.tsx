// AgentWorkspace: presence, the live inbox, the conversation pane and the
// customer 360 of the conversation's customer.
import { useEffect, useState } from "preact/hooks";
import { useInbox, Inbox } from "../Inbox/Inbox";
import { PresenceControl } from "../PresenceControl/PresenceControl";
import { Conversation } from "../Conversation/Conversation";
import { Customer360 } from "../Customer360/Customer360";
import { ErrorText } from "../ErrorText";
import { ScreenPop, useCallOffer } from "../ScreenPop/ScreenPop";
import { OpenTicket } from "../OpenTicket/OpenTicket";
import { ConfirmPromise } from "../ConfirmPromise/ConfirmPromise";
import { TicketView } from "../TicketView/TicketView";
import { useI18n } from "../../i18n";

export function AgentWorkspace({ agentId }: { agentId: string }) {
  const { t } = useI18n();
  const { state, error } = useInbox(agentId);
  const [selected, setSelected] = useState<string | null>(null);
  const [customer, setCustomer] = useState<string | null>(null);
  // Screen pop: a call offered to the agent's phone opens it and its caller's 360 before the answer.
  const offer = useCallOffer(agentId);
  useEffect(() => { if (offer.call) { setSelected(offer.call.id); setCustomer(offer.call.customer.id); } }, [offer.call?.id]);
  const [ticket, setTicket] = useState<string | null>(null);
  return (
    <div class="workspace">
      <div class="left">
        <PresenceControl presence={state.presence} since={state.presenceSince} />
        <ErrorText error={error ?? offer.error} />
        {offer.call ? <ScreenPop key={offer.call.id} call={offer.call} /> : null}
        <Inbox state={state} selected={selected} onSelect={setSelected} />
      </div>
      {selected ? <Conversation key={selected} id={selected} onCustomer={setCustomer} />
        : <section class="conversation empty"><p>{t("conversation.none")}</p></section>}
      {selected && customer ? (
        <div class="right">
          <Customer360 key={customer} id={customer} onTicket={setTicket} />
          <OpenTicket key={selected} customerId={customer} interactionId={selected} onOpened={setTicket} />
          <ConfirmPromise key={selected} interactionId={selected} />
          {ticket ? <TicketView key={ticket} id={ticket} agentId={agentId} onClose={() => setTicket(null)} /> : null}
        </div>
      ) : null}
    </div>
  );
}
