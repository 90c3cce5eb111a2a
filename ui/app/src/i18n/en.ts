// The English catalogue: every string the desktop shows. zh-CN.ts must have
// the same keys (its type says so).
import { callsEn } from "./calls.en";
import { linksEn } from "./links.en";
import { contextEn } from "./context.en";
import { deliveryEn } from "./delivery.en";
import { filesEn } from "./files.en";
import { supCustomersEn } from "./supcustomers.en";
import { analystEn } from "./analyst.en";
import { supervisorEn } from "./supervisor.en";
import { ticketsEn } from "./tickets.en";
import { enumsEn } from "./enums.en";
import { knowledgeEn } from "./knowledge.en";
import { kbEditorEn } from "./kbeditor.en";

export const en = {
  ...analystEn,
  ...supervisorEn,
  ...kbEditorEn,
  ...ticketsEn,
  ...enumsEn,
  "app.title": "Interaction Ledger",
  "app.skip": "Skip to content",
  "app.language": "Language",
  "app.signOut": "Sign out",
  "app.signedInAs": "Signed in as {name} ({role})",
  "app.loading": "Loading…",
  "app.noUI": "This role has no workspace yet.",

  "role.AGENT": "Agent",
  "role.SUPERVISOR": "Supervisor",
  "role.ANALYST": "Analyst",
  "role.AUDITOR": "Auditor",
  "role.ADMIN": "Administrator",

  "signIn.title": "Sign in",
  "signIn.subject": "User name",
  "signIn.password": "Password",
  "signIn.submit": "Sign in",
  "signIn.working": "Signing in…",
  "signIn.failed": "The user name or password is wrong.",
  "signIn.rateLimited": "Too many attempts. Try again in {seconds} seconds.",
  "signIn.unreachable": "The server cannot be reached. Check your connection and try again.",
  "signIn.required": "Enter your user name and password.",

  "error.FORBIDDEN": "Your role may not do this.",
  "error.UNAUTHENTICATED": "Your session has ended. Sign in again.",
  "error.UNAVAILABLE": "This part of the server is not running right now.",
  "error.NOT_FOUND": "It does not exist (any more).",
  "error.CONFLICT": "It changed in the meantime; look again and retry.",
  "error.BAD_USER_INPUT": "The server did not accept what was entered.",
  "error.network": "The server cannot be reached.",
  "error.other": "Something went wrong; the details are in the server log.",

  "presence.label": "My presence",
  "presence.AVAILABLE": "Available",
  "presence.BUSY": "Busy",
  "presence.AFTER_CALL_WORK": "Wrapping up",
  "presence.BREAK": "Away",
  "presence.OFFLINE": "Offline",
  "presence.reason": "Reason for being away",
  "presence.reasonPlaceholder": "e.g. lunch",
  "presence.setAway": "Go away",
  "presence.since": "since {time}",

  "inbox.title": "Inbox",
  "inbox.empty": "Nothing is assigned to you.",
  "inbox.waiting": "waiting {duration}",
  "inbox.messages": "{count} messages",
  "inbox.slaDue": "{metric} due in {left}",
  "inbox.slaAtRisk": "At risk: {metric} due in {left}",
  "inbox.slaOverdue": "{metric} overdue by {over}",
  "inbox.live": "Live",
  "inbox.reconnecting": "Reconnecting…",

  "channel.PHONE": "Phone",
  "channel.WEBCHAT": "Web chat",
  "channel.EMAIL": "Email",
  "channel.SMS": "SMS",
  "channel.WECHAT": "WeChat",
  "channel.APP": "App",

  "conversation.none": "Pick an interaction from the inbox.",
  "conversation.from.IN": "Customer",
  "conversation.from.OUT": "Agent",
  "conversation.reply": "Reply",
  "conversation.replyLabel": "Your reply",
  "conversation.send": "Send",
  "conversation.sending": "Sending…",
  "conversation.sent": "Recorded",
  "conversation.noReply": "Replies are not written on this channel.",
  "conversation.close": "Close the interaction",
  "conversation.disposition": "Outcome",
  "conversation.summary": "Summary",
  "conversation.closeButton": "Close",
  "conversation.closed": "This interaction is closed.",
  "conversation.status": "Status: {status}",

  "status.ACTIVE": "Active",
  "status.QUEUED": "Queued",
  "status.ASSIGNED": "Assigned",
  "status.CLOSED": "Closed",
  "status.ABANDONED": "Abandoned",

  "disposition.RESOLVED": "Resolved",
  "disposition.FOLLOW_UP": "Follow up",
  "disposition.ESCALATED": "Escalated",
  "disposition.NO_ACTION": "No action",
  "disposition.SPAM": "Spam",
  "disposition.ABANDONED": "Abandoned",
  "disposition.TRANSFERRED": "Transferred",

  "customer.title": "Customer",
  "customer.tier": "Tier",
  "customer.tags": "Tags",
  "customer.identities": "Identities",
  "customer.openTickets": "Open tickets",
  "customer.noTickets": "No open tickets.",
  "customer.timeline": "Timeline",
  "customer.more": "Load more",

  "wallboard.title": "Wallboard",
  "wallboard.queues": "Queues",
  "wallboard.queue": "Queue",
  "wallboard.waiting": "Waiting",
  "wallboard.longest": "Longest wait",
  "wallboard.agents": "Agents",
  "wallboard.agent": "Agent",
  "wallboard.presence": "Presence",
  "wallboard.load": "Load",

  "reports.title": "Reports",
  "reports.groupBy": "Group by: {dims}",

  "audit.title": "Audit",
  "audit.stream": "Stream",
  "audit.streamHint": "e.g. interaction-… or customer-…",
  "audit.asOf": "As of (optional)",
  "audit.show": "Show",
  "audit.events": "{count} events",
  "audit.position": "Position",
  "audit.type": "Type",
  "audit.actor": "Actor",
  "audit.recorded": "Recorded",
  "audit.hash": "Hash",
  "audit.verify": "Verify the ledger",
  "audit.verifying": "Verifying…",
  "audit.ok": "Every hash chain is intact: {events} events in {streams} streams.",
  "audit.bad": "The chain breaks at position {position} ({stream}): {reason}",
  ...callsEn,
  ...linksEn,
  ...contextEn,
  ...deliveryEn,
  ...filesEn,
  ...supCustomersEn,
  ...knowledgeEn,
} as const;

export type MessageKey = keyof typeof en;
