// The customer 360's identity links and merges (English); links.zh-CN.ts
// has the same keys.
export const linksEn = {
  "links.title": "Identities",
  "links.unlink": "Unlink",
  "links.unlinkLabel": "Unlink {identity}",
  "links.unlinked": "Unlinked {identity}.",
  "links.kind": "Kind",
  "links.value": "Handle",
  "links.link": "Link",
  "links.linked": "Linked {identity}.",
  "links.conflict": "Another customer already holds this identity; merge the two customers instead.",
  "links.mergeTitle": "Merge a duplicate into this customer",
  "links.search": "Name, phone, email or id",
  "links.find": "Find",
  "links.noneFound": "No other customer matches.",
  "links.merge": "Merge into this customer",
  "links.mergeLabel": "Merge into this customer: {name}",
  "links.merged": "Merged {name} into this customer.",
  "links.mergedFrom": "Merged into this customer",
  "links.undo": "Undo the merge",
  "links.undoLabel": "Undo the merge of {id}",
  "links.undone": "The merge of {id} is undone.",
} as const;
