import type { callsEn } from "./calls.en";

// 来电弹屏的文字（简体中文），与 calls.en.ts 键一一对应。
export const callsZhCN: Record<keyof typeof callsEn, string> = {
  "screenPop.title": "来电：{caller}",
  "screenPop.ringing": "振铃中：请在话机上接听",
  "screenPop.answered": "通话中",
  "screenPop.ended": "通话已结束",
  "identity.claimed": "号码未经验证：透露账户信息前，请先核实来电者身份",
};
