// The supervisor's customer search and 360 (English);
// supcustomers.zh-CN.ts has the same keys.
export const supCustomersEn = {
  "supCustomers.title": "Customers",
  "supCustomers.search": "Find a customer by name, phone, email or id",
  "supCustomers.find": "Find",
  "supCustomers.none": "No customer matches.",
  "supCustomers.open": "Open",
  "supCustomers.openLabel": "Open the customer 360 of {name}",
};
