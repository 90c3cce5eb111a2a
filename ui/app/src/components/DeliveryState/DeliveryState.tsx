// DeliveryState: how an agent's reply reached the customer's channel —
// delivered, retrying after a failed attempt, failed for good (with the
// provider's reason), or not attempted yet. Shown beside each outgoing
// message of the conversation; it changes live with interactionUpdated.
import type { DeliveryStatus } from "../../graphql/types.generated";
import { useI18n } from "../../i18n";

export type Delivery = { state: DeliveryStatus; attempts: number; lastError?: string | null };

const marks: Record<DeliveryStatus, string> = { PENDING: "…", DELIVERED: "✓", RETRYING: "↻", FAILED: "⚠" };

export function DeliveryState({ delivery }: { delivery: Delivery | null | undefined }) {
  const { t } = useI18n();
  if (!delivery) return null;
  const { state, attempts, lastError } = delivery;
  const label = state === "FAILED" && attempts <= 1 ? t("delivery.FAILED.one") : t(`delivery.${state}`, { attempts });
  return (
    <span class={`delivery delivery-${state}`} data-delivery={state}>
      <span aria-hidden="true">{marks[state]} </span>
      {label}
      {lastError && state !== "DELIVERED" ? <span class="delivery-reason"> — {t("delivery.reason", { reason: lastError })}</span> : null}
    </span>
  );
}
