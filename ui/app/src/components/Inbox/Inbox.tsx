// Inbox: the interactions assigned to the agent, kept live by the
// agentUpdated subscription (assignments, transfers, closes, SLA clocks)
// and, per entry, interactionUpdated (new messages, SLA clocks). No
// polling: the countdowns tick on the local clock (useNow).
import { useQuery, useSubscription } from "@urql/preact";
import { InboxDocument, InboxItemUpdatedDocument, InboxUpdatedDocument, type InboxItemFragment } from "./inbox.generated";
import type { Presence } from "../../graphql/types.generated";
import { ChannelIcon } from "../channelIcon";
import { useNow } from "../useNow";
import { useI18n } from "../../i18n";

export type InboxState = { presence?: Presence; presenceSince?: string | null; items: InboxItemFragment[] };

/** useInbox reads the agent's inbox once and then follows it live. */
export function useInbox(agentId: string) {
  const [q] = useQuery({ query: InboxDocument, variables: { id: agentId } });
  const [s] = useSubscription({ query: InboxUpdatedDocument, variables: { id: agentId } });
  const live = s.data?.agentUpdated;
  const agent = live ?? q.data?.agent;
  const state: InboxState = {
    presence: agent?.presence, presenceSince: agent?.presenceSince, items: agent?.openInteractions ?? [],
  };
  return { state, error: q.error ?? s.error, fetching: q.fetching && !agent };
}

type Props = { state: InboxState; selected: string | null; onSelect: (id: string) => void };

export function Inbox({ state, selected, onSelect }: Props) {
  const { t } = useI18n();
  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <h2 id="inbox-title">{t("inbox.title")} <span class="count">{state.items.length}</span></h2>
      {state.items.length === 0 ? <p class="empty">{t("inbox.empty")}</p> : null}
      <ul aria-live="polite" aria-relevant="additions removals">
        {state.items.map((it) => (
          <InboxEntry key={it.id} item={it} selected={it.id === selected} onSelect={onSelect} />
        ))}
      </ul>
    </section>
  );
}

function InboxEntry({ item, selected, onSelect }: { item: InboxItemFragment; selected: boolean; onSelect: (id: string) => void }) {
  const { t, duration } = useI18n();
  const now = useNow();
  const [s] = useSubscription({ query: InboxItemUpdatedDocument, variables: { id: item.id } });
  const upd = s.data?.interactionUpdated;
  const it = upd && upd.messageCount >= item.messageCount ? upd : item;
  const since = Date.parse(it.queuedAt ?? it.startedAt);
  return (
    <li>
      <button type="button" class={selected ? "entry selected" : "entry"} aria-current={selected ? "true" : undefined}
        data-interaction={it.id} onClick={() => onSelect(it.id)}>
        <ChannelIcon channel={it.channel} />
        <span class="customer">{it.customer.displayName || it.identity.value}</span>
        <span class="subject">{it.subject}</span>
        <span class="meta">
          <span class="wait">{t("inbox.waiting", { duration: duration((now - since) / 1000) })}</span>
          {" · "}
          <span class="msgs">{t("inbox.messages", { count: it.messageCount })}</span>
        </span>
        <SlaCountdown clocks={it.slaClocks} now={now} />
      </button>
    </li>
  );
}

type Clock = InboxItemFragment["slaClocks"][number];

/** nearestRunning is the running clock that comes due first, if any. */
export function nearestRunning(clocks: readonly Clock[]): (Clock & { deadline: string }) | null {
  let best: (Clock & { deadline: string }) | null = null;
  for (const c of clocks) {
    if (c.state !== "RUNNING" || !c.deadline) continue;
    if (!best || Date.parse(c.deadline) < Date.parse(best.deadline)) best = { ...c, deadline: c.deadline };
  }
  return best;
}

/**
 * SlaCountdown counts down to the interaction's nearest running SLA clock:
 * plain while in time, "at risk" once the clock's warning fired, "overdue
 * by" once it breached or its deadline passed. The words carry the state,
 * the colour only repeats it. Nothing shows while no clock runs (none
 * started yet, or the agent answered).
 */
export function SlaCountdown({ clocks, now }: { clocks: readonly Clock[]; now: number }) {
  const { t, duration } = useI18n();
  const c = nearestRunning(clocks);
  if (!c) return null;
  const left = (Date.parse(c.deadline) - now) / 1000;
  const metric = t(`slaMetric.${c.metric}`);
  const [level, text] = c.breached || left < 0
    ? ["over", t("inbox.slaOverdue", { metric, over: duration(-left) })]
    : c.warned
      ? ["warn", t("inbox.slaAtRisk", { metric, left: duration(left) })]
      : ["ok", t("inbox.slaDue", { metric, left: duration(left) })];
  return (
    <span class={`sla sla-${level}`} data-sla={level} data-metric={c.metric}>
      <time dateTime={c.deadline}>{text}</time>
    </span>
  );
}
