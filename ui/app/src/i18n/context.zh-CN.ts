import type { contextEn } from "./context.en";

// 客户 360 的业务信息（套餐、订单、设备、合同，简体中文），与 context.en.ts 键一一对应。
export const contextZhCN: Record<keyof typeof contextEn, string> = {
  "context.title": "业务信息",
  "context.none": "CRM 尚未记录套餐、订单或设备。",
  "context.plans": "当前套餐",
  "context.orders": "近期订单",
  "context.devices": "设备",
  "context.contracts": "合同",
  "context.source": "{source} · {id} · 第 {version} 版",
  "context.planTier": "套餐等级",
  "factAttr.planName": "套餐",
  "factAttr.monthlyFee": "月费",
  "factAttr.data": "流量",
  "factAttr.status": "状态",
  "factAttr.item": "商品",
  "factAttr.quantity": "数量",
  "factAttr.total": "金额",
  "factAttr.model": "型号",
  "factAttr.imei": "IMEI",
  "factAttr.term": "期限",
  "factAttr.endsOn": "到期日",
};
