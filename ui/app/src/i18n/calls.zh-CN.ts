import type { callsEn } from "./calls.en";

// 来电弹屏的文字（简体中文），与 calls.en.ts 键一一对应。
export const callsZhCN: Record<keyof typeof callsEn, string> = {
  "screenPop.title": "来电：{caller}",
  "screenPop.ringing": "振铃中：请在话机上接听",
  "screenPop.answered": "通话中",
  "screenPop.ended": "通话已结束",
  "identity.claimed": "号码未经验证：透露账户信息前，请先核实来电者身份",
  "identity.unverified": "发件人未经验证：其邮件域名未作任何担保；透露账户信息前，请先核实对方身份",
  "identity.failed": "发件人验证失败（DMARC）：此邮件可能是伪造的，已与该地址所属的客户分开；请勿透露账户信息",
  "identity.verified": "发件人已验证（DMARC 通过）",
};
