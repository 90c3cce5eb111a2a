// 主管工作区的文案（并入 zh-CN.ts）。
import type { supervisorEn } from "./supervisor.en";

export const supervisorZhCN: Record<keyof typeof supervisorEn, string> = {
  "supervisor.serviceLevel": "今日服务水平",
  "supervisor.noServiceLevel": "今日服务水平需要分析组件，本服务器未运行该组件。",
  "supervisor.team": "团队",
  "supervisor.loadByChannel": "各渠道负载",
  "supervisor.idle": "没有进行中的交互",
  "supervisor.setPresence": "设置状态",
  "supervisor.presenceFor": "{name} 的新状态",
  "supervisor.reasonFor": "{name} 的原因",
  "supervisor.reason": "原因",
  "supervisor.set": "设置",
  "supervisor.ticketsTitle": "工单",
  "supervisor.overdue": "已超期",
  "supervisor.noneOverdue": "没有超期的未结工单。",
  "supervisor.atRiskNote": "工单在 API 中具备 SLA 计时后，临近超时的 SLA 将显示在此。",
  "supervisor.open": "未结工单",
  "supervisor.noneOpen": "没有未结工单。",
  "supervisor.ticket": "工单",
  "supervisor.priority": "优先级",
  "supervisor.status": "状态",
  "supervisor.assignee": "处理人",
  "supervisor.reassign": "重新分配",
  "supervisor.assignTo": "将 {ticket} 分配给",
  "supervisor.assign": "分配",
  "supervisor.assigned": "已分配给 {agent}。",
};
