// markdown renders a knowledge article's body (Markdown) to HTML, safely:
// markdown-it with raw HTML off escapes every tag the text holds, and its
// link check refuses javascript:, vbscript:, file: and data: (but images)
// URLs, so what reaches the DOM is only the markup markdown-it writes
// itself. Imported lazily (its own chunk): only an opened article loads it.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

type Rule = NonNullable<typeof md.renderer.rules.link_open>;
const renderToken: Rule = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);

// Links leave the desktop in a new tab, without the opener or a referrer.
const linkOpen = md.renderer.rules.link_open ?? renderToken;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet("target", "_blank");
  tokens[idx].attrSet("rel", "noopener noreferrer nofollow");
  return linkOpen(tokens, idx, options, env, self);
};

// The article sits under the panel's h3: its headings start at h4.
const shift = (tag: string) => (/^h[1-6]$/.test(tag) ? `h${Math.min(6, Number(tag[1]) + 3)}` : tag);
for (const rule of ["heading_open", "heading_close"] as const) {
  const base = md.renderer.rules[rule] ?? renderToken;
  md.renderer.rules[rule] = (tokens, idx, options, env, self) => {
    tokens[idx].tag = shift(tokens[idx].tag);
    return base(tokens, idx, options, env, self);
  };
}

/** renderMarkdown turns an article's Markdown into HTML without any of the text's own markup. */
export function renderMarkdown(src: string): string {
  return md.render(src);
}
