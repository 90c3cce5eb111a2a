import type { deliveryEn } from "./delivery.en";

// 坐席回复的送达状态（简体中文），与 delivery.en.ts 键一一对应。
export const deliveryZhCN: Record<keyof typeof deliveryEn, string> = {
  "delivery.PENDING": "尚未送达",
  "delivery.DELIVERED": "已送达",
  "delivery.RETRYING": "发送失败，正在重试（第 {attempts} 次尝试）",
  "delivery.FAILED": "尝试 {attempts} 次后仍未送达",
  "delivery.FAILED.one": "未送达",
  "delivery.reason": "原因：{reason}",
};
