import type { linksEn } from "./links.en";

// 客户 360 的身份关联与合并（简体中文），与 links.en.ts 键一一对应。
export const linksZhCN: Record<keyof typeof linksEn, string> = {
  "links.title": "身份",
  "links.unlink": "解除关联",
  "links.unlinkLabel": "解除关联 {identity}",
  "links.unlinked": "已解除关联 {identity}。",
  "links.kind": "类型",
  "links.value": "标识",
  "links.link": "关联",
  "links.linked": "已关联 {identity}。",
  "links.conflict": "此身份已属于另一位客户；请改为合并这两位客户。",
  "links.mergeTitle": "将重复客户合并到此客户",
  "links.search": "姓名、电话、邮箱或编号",
  "links.find": "查找",
  "links.noneFound": "没有其他匹配的客户。",
  "links.merge": "合并到此客户",
  "links.mergeLabel": "合并到此客户：{name}",
  "links.merged": "已将 {name} 合并到此客户。",
  "links.mergedFrom": "已合并到此客户的客户",
  "links.undo": "撤销合并",
  "links.undoLabel": "撤销 {id} 的合并",
  "links.undone": "已撤销 {id} 的合并。",
};
