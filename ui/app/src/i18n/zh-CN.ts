import type { MessageKey } from "./en";
import { callsZhCN } from "./calls.zh-CN";
import { linksZhCN } from "./links.zh-CN";
import { contextZhCN } from "./context.zh-CN";
import { deliveryZhCN } from "./delivery.zh-CN";
import { filesZhCN } from "./files.zh-CN";
import { supCustomersZhCN } from "./supcustomers.zh-CN";
import { analystZhCN } from "./analyst.zh-CN";
import { supervisorZhCN } from "./supervisor.zh-CN";
import { ticketsZh } from "./tickets.zh-CN";
import { enumsZhCN } from "./enums.zh-CN";
import { knowledgeZhCN } from "./knowledge.zh-CN";
import { kbEditorZhCN } from "./kbeditor.zh-CN";

// 简体中文目录：与 en.ts 键一一对应。

export const zhCN: Record<MessageKey, string> = {
  ...analystZhCN,
  ...supervisorZhCN,
  ...kbEditorZhCN,
  ...ticketsZh,
  ...enumsZhCN,
  "app.title": "交互账本",
  "app.skip": "跳到正文",
  "app.language": "语言",
  "app.signOut": "退出登录",
  "app.signedInAs": "当前用户：{name}（{role}）",
  "app.loading": "加载中…",
  "app.noUI": "此角色暂无工作台。",

  "role.AGENT": "坐席",
  "role.SUPERVISOR": "班长",
  "role.ANALYST": "分析员",
  "role.AUDITOR": "审计员",
  "role.ADMIN": "管理员",

  "signIn.title": "登录",
  "signIn.subject": "用户名",
  "signIn.password": "密码",
  "signIn.submit": "登录",
  "signIn.working": "正在登录…",
  "signIn.failed": "用户名或密码错误。",
  "signIn.rateLimited": "尝试次数过多，请在 {seconds} 秒后重试。",
  "signIn.unreachable": "无法连接服务器，请检查网络后重试。",
  "signIn.required": "请输入用户名和密码。",

  "error.FORBIDDEN": "您的角色无权执行此操作。",
  "error.UNAUTHENTICATED": "会话已结束，请重新登录。",
  "error.UNAVAILABLE": "服务器的这一部分目前未运行。",
  "error.NOT_FOUND": "该对象不存在（或已不存在）。",
  "error.CONFLICT": "数据已被修改，请刷新后重试。",
  "error.BAD_USER_INPUT": "服务器不接受所输入的内容。",
  "error.network": "无法连接服务器。",
  "error.other": "出现错误；详情见服务器日志。",

  "presence.label": "我的状态",
  "presence.AVAILABLE": "空闲",
  "presence.BUSY": "忙碌",
  "presence.AFTER_CALL_WORK": "话后处理",
  "presence.BREAK": "离开",
  "presence.OFFLINE": "离线",
  "presence.reason": "离开原因",
  "presence.reasonPlaceholder": "例如：午餐",
  "presence.setAway": "设为离开",
  "presence.since": "自 {time}",

  "inbox.title": "收件箱",
  "inbox.empty": "没有分配给您的会话。",
  "inbox.waiting": "已等待 {duration}",
  "inbox.messages": "{count} 条消息",
  "inbox.slaDue": "{metric}剩余 {left}",
  "inbox.slaAtRisk": "有风险：{metric}剩余 {left}",
  "inbox.slaOverdue": "{metric}已超时 {over}",
  "inbox.live": "实时",
  "inbox.reconnecting": "正在重新连接…",

  "channel.PHONE": "电话",
  "channel.WEBCHAT": "网页聊天",
  "channel.EMAIL": "邮件",
  "channel.SMS": "短信",
  "channel.WECHAT": "微信",
  "channel.APP": "应用",

  "conversation.none": "请从收件箱中选择一个会话。",
  "conversation.from.IN": "客户",
  "conversation.from.OUT": "坐席",
  "conversation.reply": "回复",
  "conversation.replyLabel": "您的回复",
  "conversation.send": "发送",
  "conversation.sending": "发送中…",
  "conversation.sent": "已记录",
  "conversation.noReply": "此渠道不支持文字回复。",
  "conversation.close": "结束会话",
  "conversation.disposition": "处理结果",
  "conversation.summary": "小结",
  "conversation.closeButton": "结束",
  "conversation.closed": "此会话已结束。",
  "conversation.status": "状态：{status}",

  "status.ACTIVE": "进行中",
  "status.QUEUED": "排队中",
  "status.ASSIGNED": "已分配",
  "status.CLOSED": "已结束",
  "status.ABANDONED": "已放弃",

  "disposition.RESOLVED": "已解决",
  "disposition.FOLLOW_UP": "待跟进",
  "disposition.ESCALATED": "已升级",
  "disposition.NO_ACTION": "无需处理",
  "disposition.SPAM": "垃圾信息",
  "disposition.ABANDONED": "客户离开",
  "disposition.TRANSFERRED": "已转接",

  "customer.title": "客户",
  "customer.tier": "等级",
  "customer.tags": "标签",
  "customer.identities": "身份",
  "customer.openTickets": "未结工单",
  "customer.noTickets": "没有未结工单。",
  "customer.timeline": "时间线",
  "customer.more": "加载更多",

  "wallboard.title": "监控墙",
  "wallboard.queues": "队列",
  "wallboard.queue": "队列",
  "wallboard.waiting": "等待数",
  "wallboard.longest": "最长等待",
  "wallboard.agents": "坐席",
  "wallboard.agent": "坐席",
  "wallboard.presence": "状态",
  "wallboard.load": "负载",

  "reports.title": "报表",
  "reports.groupBy": "分组维度：{dims}",

  "audit.title": "审计",
  "audit.stream": "事件流",
  "audit.streamHint": "例如 interaction-… 或 customer-…",
  "audit.asOf": "截至时间（可选）",
  "audit.show": "查看",
  "audit.events": "{count} 个事件",
  "audit.position": "位置",
  "audit.type": "类型",
  "audit.actor": "操作者",
  "audit.recorded": "记录时间",
  "audit.hash": "哈希",
  "audit.verify": "校验账本",
  "audit.verifying": "校验中…",
  "audit.ok": "所有哈希链完整：{streams} 个事件流共 {events} 个事件。",
  "audit.bad": "哈希链在位置 {position}（{stream}）断开：{reason}",
  ...callsZhCN,
  ...linksZhCN,
  ...contextZhCN,
  ...deliveryZhCN,
  ...filesZhCN,
  ...supCustomersZhCN,
  ...knowledgeZhCN,
};
