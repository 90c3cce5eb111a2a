// The widget's message catalogue: every string a visitor sees, in English
// and Simplified Chinese.

export type Lang = "en" | "zh-CN";

const en = {
  openChat: "Open chat",
  openChatUnread: (n: number) => `Open chat (${n} new ${n === 1 ? "reply" : "replies"})`,
  closeChat: "Close chat",
  title: "Chat with us",
  subtitle: "We usually reply within a few minutes.",
  messages: "Conversation",
  empty: "Send us a message: an agent will answer here.",
  inputLabel: "Your message",
  placeholder: "Type a message…",
  send: "Send",
  you: "You",
  agent: "Agent",
  sending: "Sending…",
  failed: "Not sent",
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: (s: number) => `Connection lost. Reconnecting in ${s} s…`,
  offline: "You are offline. Messages are sent once you are back.",
  limited: "Too many messages: please wait a moment.",
  attach: "Attach a file",
  fileTooLarge: (mib: number) => `This file is too large: a file is at most ${mib} MB.`,
  fileNotAccepted: "This kind of file cannot be sent here: send a picture, a PDF or a text file.",
  fileFailed: "The file was not sent.",
  retrying: (s: number) => `trying again in ${s} s`,
  fileBlocked: "blocked (malware)",
  download: (name: string) => `Download ${name}`,
  downloadFailed: (name: string) => `${name} could not be downloaded.`,
};

export type Messages = typeof en;

const zh: Messages = {
  openChat: "打开在线客服",
  openChatUnread: (n: number) => `打开在线客服（${n} 条新回复）`,
  closeChat: "关闭在线客服",
  title: "在线客服",
  subtitle: "我们通常几分钟内回复。",
  messages: "对话",
  empty: "给我们发消息，客服会在这里回复您。",
  inputLabel: "您的消息",
  placeholder: "输入消息…",
  send: "发送",
  you: "我",
  agent: "客服",
  sending: "发送中…",
  failed: "未发送",
  connecting: "正在连接…",
  connected: "已连接",
  reconnecting: (s: number) => `连接已断开，${s} 秒后重新连接…`,
  offline: "您已离线，恢复网络后会自动发送。",
  limited: "消息太多了，请稍候再试。",
  attach: "添加文件",
  fileTooLarge: (mib: number) => `文件太大：每个文件最大 ${mib} MB。`,
  fileNotAccepted: "不支持发送此类文件：请发送图片、PDF 或文本文件。",
  fileFailed: "文件未发送。",
  retrying: (s: number) => `${s} 秒后重试`,
  fileBlocked: "已拦截（恶意软件）",
  download: (name: string) => `下载 ${name}`,
  downloadFailed: (name: string) => `${name} 下载失败。`,
};

const catalogue: Record<Lang, Messages> = { en, "zh-CN": zh };

// pickLang chooses the language: the script tag's data-lang when given,
// else the browser's preferred languages, else English.
export function pickLang(requested: string | null | undefined, preferred: readonly string[]): Lang {
  for (const tag of [requested ?? "", ...preferred]) {
    const t = tag.toLowerCase();
    if (t.startsWith("zh")) return "zh-CN";
    if (t.startsWith("en")) return "en";
  }
  return "en";
}

export function messages(lang: Lang): Messages {
  return catalogue[lang];
}
