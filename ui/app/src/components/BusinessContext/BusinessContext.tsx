// BusinessContext: what the CRM and order systems recorded about the
// customer (recordBusinessFact), in the customer 360: the current plan with
// the tier it gives, the most recent orders, devices and contracts.
// Attribute values arrive masked for roles that see personal data masked.
import type { BusinessContextFactsFragment, BusinessFactFieldsFragment } from "./businessContext.generated";
import { useI18n } from "../../i18n";
import { labelOr, tierLabel } from "../../i18n/labels";

/** headline is a fact's most telling attribute: a plan's name, an order's item, a device's model. */
const headlineAttr = ["planName", "item", "model", "term"];

export function BusinessContext({ context }: { context: BusinessContextFactsFragment }) {
  const { t } = useI18n();
  const groups: { key: "context.plans" | "context.orders" | "context.devices" | "context.contracts"; kind: string; facts: BusinessFactFieldsFragment[] }[] = [
    { key: "context.plans", kind: "PLAN", facts: context.plans },
    { key: "context.orders", kind: "ORDER", facts: context.recentOrders },
    { key: "context.devices", kind: "DEVICE", facts: context.devices },
    { key: "context.contracts", kind: "CONTRACT", facts: context.contracts },
  ];
  const any = groups.some((g) => g.facts.length > 0);
  return (
    <section class="c360-context" aria-labelledby="c360-context-title">
      <h3 id="c360-context-title">{t("context.title")}</h3>
      {any ? groups.filter((g) => g.facts.length > 0).map((g) => (
        <div class="context-group" data-kind={g.kind}>
          <h4>{t(g.key)}</h4>
          <ul>{g.facts.map((f) => <Fact f={f} />)}</ul>
        </div>
      )) : <p class="muted">{t("context.none")}</p>}
    </section>
  );
}

function Fact({ f }: { f: BusinessFactFieldsFragment }) {
  const { t, time } = useI18n();
  const head = f.attributes.find((a) => headlineAttr.includes(a.name));
  const rest = f.attributes.filter((a) => a !== head);
  return (
    <li class="fact" data-external-id={f.externalId}>
      <strong>{head ? head.value : f.externalId}</strong>
      {f.tier ? <> <span class="c360-tier" data-tier={f.tier} title={t("context.planTier")}>{tierLabel(t, f.tier)}</span></> : null}
      {f.effectiveAt ? <> · <time dateTime={f.effectiveAt}>{time(f.effectiveAt)}</time></> : null}
      {rest.length ? (
        <span class="fact-attrs">{rest.map((a) => <span data-attr={a.name}> · {labelOr(t, "factAttr", a.name)}: {a.value}</span>)}</span>
      ) : null}
      <div class="muted fact-source">{t("context.source", { source: f.source, id: f.externalId, version: f.version })}</div>
    </li>
  );
}
