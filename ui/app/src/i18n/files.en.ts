// Attachments: files shown with messages and notes, and the file picker of
// the reply box and the note form (English); files.zh-CN.ts has the same keys.
export const filesEn = {
  "files.list": "Attached files",
  "files.download": "Download",
  "files.open": "Open",
  "files.newTab": "(opens in a new tab)",
  "files.quarantined": "Quarantined (malware: {signature})",
  "files.notKept": "Not kept: only its description was recorded",
  "files.unknownType": "unknown type",
  "files.attach": "Attach files",
  "files.hint": "You can also drop files here or paste an image.",
  "files.pending": "Files to send",
  "files.uploading": "Uploading…",
  "files.ready": "Ready",
  "files.failed": "Not uploaded: {reason}",
  "files.tooBig": "Not uploaded: the file is over {max}.",
  "files.infected": "Not uploaded: the file matched the malware signature {signature}.",
  "files.unreachable": "Not uploaded: the server could not be reached.",
  "files.remove": "Remove",
  "files.wait": "Wait until the files are uploaded.",
};
