import type { supCustomersEn } from "./supcustomers.en";

// 主管的客户搜索与客户 360（简体中文），与 supcustomers.en.ts 键一一对应。
export const supCustomersZhCN: Record<keyof typeof supCustomersEn, string> = {
  "supCustomers.title": "客户",
  "supCustomers.search": "按姓名、电话、邮箱或编号查找客户",
  "supCustomers.find": "查找",
  "supCustomers.none": "没有匹配的客户。",
  "supCustomers.open": "打开",
  "supCustomers.openLabel": "打开 {name} 的客户 360",
};
