// The widget's styles, scoped by its shadow root so the host page's CSS
// neither leaks in nor is touched. Colours meet WCAG AA contrast.
export const css = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #111827; }
.bubble { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px; height: 56px; border-radius: 50%; border: 0;
  background: #1a56db; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
.bubble:hover { background: #1e429f; }
.bubble:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.bubble svg { width: 28px; height: 28px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
  background: #b91c1c; color: #fff; font-size: 12px; font-weight: 700; line-height: 22px; text-align: center; }
.badge[hidden] { display: none; }
.panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483000; width: min(360px, calc(100vw - 40px));
  height: min(520px, calc(100vh - 120px)); background: #fff; border-radius: 12px; box-shadow: 0 10px 30px rgba(0,0,0,.25);
  display: flex; flex-direction: column; overflow: hidden; }
.panel[hidden] { display: none; }
header { background: #1a56db; color: #fff; padding: 12px 14px; display: flex; align-items: flex-start; gap: 8px; }
header .titles { flex: 1; }
header h2 { margin: 0; font-size: 16px; font-weight: 600; }
header p { margin: 2px 0 0; font-size: 12px; color: #e5edff; }
.close { background: transparent; border: 0; color: #fff; font-size: 22px; line-height: 1; width: 32px; height: 32px; border-radius: 6px; cursor: pointer; }
.close:hover { background: #1e429f; }
.status { margin: 0; padding: 4px 14px; font-size: 12px; color: #374151; background: #f3f4f6; border-bottom: 1px solid #e5e7eb; }
.status[data-kind="open"] { color: #065f46; }
.log { flex: 1; overflow-y: auto; padding: 12px 14px; display: flex; flex-direction: column; }
.list { flex: 1 0 auto; margin: 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 8px; }
.empty { color: #4b5563; text-align: center; margin: auto 0; }
.msg { max-width: 85%; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.in { align-self: flex-end; background: #1a56db; color: #fff; border-bottom-right-radius: 2px; }
.msg.out { align-self: flex-start; background: #f3f4f6; color: #111827; border-bottom-left-radius: 2px; }
.msg .meta { display: block; margin-top: 2px; font-size: 11px; }
.msg.in .meta { color: #e5edff; text-align: right; }
.msg.out .meta { color: #4b5563; }
.msg.failed { background: #fef2f2; color: #7f1d1d; border: 1px solid #b91c1c; }
.msg.failed .meta { color: #7f1d1d; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0,0,0,0); white-space: nowrap; border: 0; }
form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; }
textarea { flex: 1; resize: none; height: 40px; max-height: 120px; padding: 9px 10px; border: 1px solid #6b7280; border-radius: 8px; font: inherit; color: #111827; background: #fff; }
.send { border: 0; border-radius: 8px; padding: 0 14px; background: #1a56db; color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
.send:hover { background: #1e429f; }
.attach { flex: none; width: 40px; height: 40px; border: 1px solid #6b7280; border-radius: 8px; background: #fff; color: #374151; cursor: pointer; display: grid; place-items: center; padding: 0; }
.attach:hover { background: #f3f4f6; }
.attach svg { width: 20px; height: 20px; fill: currentColor; }
.picker { display: none; }
.file { display: block; margin: 2px 0; }
.msg a { color: inherit; text-decoration: underline; }
.msg a:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.thumb { display: block; width: 160px; height: 120px; object-fit: contain; border-radius: 6px; background: #e5e7eb; }
.file.blocked .name { text-decoration: line-through; }
@media (prefers-reduced-motion: no-preference) { .panel { transition: opacity .15s; } }
`;
