// The customer 360's business context: plans, orders, devices and
// contracts from the CRM and order systems (English); context.zh-CN.ts
// has the same keys.
export const contextEn = {
  "context.title": "Business context",
  "context.none": "No plan, order or device recorded by the CRM.",
  "context.plans": "Current plan",
  "context.orders": "Recent orders",
  "context.devices": "Devices",
  "context.contracts": "Contracts",
  "context.source": "{source} · {id} · version {version}",
  "context.planTier": "Plan tier",
  "factAttr.planName": "Plan",
  "factAttr.monthlyFee": "Monthly fee",
  "factAttr.data": "Data",
  "factAttr.status": "Status",
  "factAttr.item": "Item",
  "factAttr.quantity": "Quantity",
  "factAttr.total": "Total",
  "factAttr.model": "Model",
  "factAttr.imei": "IMEI",
  "factAttr.term": "Term",
  "factAttr.endsOn": "Ends on",
} as const;
