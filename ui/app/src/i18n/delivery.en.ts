// How an agent's reply reached the customer (English); delivery.zh-CN.ts
// has the same keys.
export const deliveryEn = {
  "delivery.PENDING": "Not yet delivered",
  "delivery.DELIVERED": "Delivered",
  "delivery.RETRYING": "Delivery failed, retrying (attempt {attempts})",
  "delivery.FAILED": "Not delivered after {attempts} attempts",
  "delivery.FAILED.one": "Not delivered",
  "delivery.reason": "Reason: {reason}",
};
