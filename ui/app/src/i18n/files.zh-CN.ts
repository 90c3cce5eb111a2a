import type { filesEn } from "./files.en";

// 附件：消息和备注中的文件，回复框和备注表单的文件选择（简体中文），与 files.en.ts 键一一对应。
export const filesZhCN: Record<keyof typeof filesEn, string> = {
  "files.list": "附件",
  "files.download": "下载",
  "files.open": "打开",
  "files.newTab": "（在新标签页中打开）",
  "files.quarantined": "已隔离（恶意软件：{signature}）",
  "files.notKept": "未保存文件内容：仅记录了文件信息",
  "files.unknownType": "未知类型",
  "files.attach": "添加附件",
  "files.hint": "也可以把文件拖放到这里，或粘贴图片。",
  "files.pending": "待发送的附件",
  "files.uploading": "上传中…",
  "files.ready": "已就绪",
  "files.failed": "上传失败：{reason}",
  "files.tooBig": "上传失败：文件超过 {max}。",
  "files.infected": "上传失败：文件匹配恶意软件特征 {signature}。",
  "files.unreachable": "上传失败：无法连接服务器。",
  "files.remove": "移除",
  "files.wait": "请等待附件上传完成。",
};
