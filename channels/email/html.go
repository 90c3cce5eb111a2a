package email

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText turns an HTML body into readable plain text for an agent:
// block elements become line breaks, list items get a dash, links keep
// their address when it differs from their text, and scripts, styles and
// the document head are dropped. It uses the HTML5 tokenizer, so broken
// markup still yields text rather than an error.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b textBuilder
	skip := 0 // depth inside elements whose text is not content
	pre := 0
	var href string
	var linkText strings.Builder
	inLink := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF at the end; the tokenizer reports no other error on
			// an in-memory reader, and what was read so far is the text.
			return b.String()
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := string(z.Text())
			if inLink {
				linkText.WriteString(text)
			}
			if pre > 0 {
				b.raw(text)
			} else {
				b.words(text)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			switch {
			case skippedElements[a]:
				if tt == html.StartTagToken {
					skip++
				}
			case a == atom.Br:
				b.newline()
			case a == atom.Hr:
				b.paragraph()
			case a == atom.Li:
				b.newline()
				b.raw("- ")
			case a == atom.Pre:
				b.paragraph()
				pre++
			case a == atom.A && hasAttr:
				href, inLink = linkHref(z), true
				linkText.Reset()
			case a == atom.Img && hasAttr:
				if alt := attr(z, "alt"); alt != "" {
					b.words("[" + alt + "]")
				}
			case paragraphElements[a]:
				b.paragraph()
			case lineElements[a]:
				b.newline()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case skippedElements[a]:
				if skip > 0 {
					skip--
				}
			case a == atom.Pre:
				if pre > 0 {
					pre--
				}
				b.paragraph()
			case a == atom.A:
				if inLink && href != "" && strings.TrimSpace(linkText.String()) != href {
					b.words(" <" + href + ">")
				}
				inLink, href = false, ""
			case paragraphElements[a]:
				b.paragraph()
			case lineElements[a]:
				b.newline()
			}
		}
	}
}

var (
	skippedElements   = atomSet(atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript, atom.Object, atom.Svg)
	paragraphElements = atomSet(atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table, atom.Ul, atom.Ol, atom.Dl)
	lineElements      = atomSet(atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Dt, atom.Dd, atom.Address, atom.Center)
)

func atomSet(atoms ...atom.Atom) map[atom.Atom]bool {
	m := make(map[atom.Atom]bool, len(atoms))
	for _, a := range atoms {
		m[a] = true
	}
	return m
}

// linkHref returns the link's address when it is one worth showing (web or
// mail), so javascript: and fragment links do not clutter the text.
func linkHref(z *html.Tokenizer) string {
	href := strings.TrimSpace(attr(z, "href"))
	lower := strings.ToLower(href)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return href
	}
	if strings.HasPrefix(lower, "mailto:") {
		return href[len("mailto:"):]
	}
	return ""
}

func attr(z *html.Tokenizer, want string) string {
	for {
		key, val, more := z.TagAttr()
		if string(key) == want {
			return string(val)
		}
		if !more {
			return ""
		}
	}
}

// textBuilder collects text with HTML's whitespace rules: runs of spaces
// collapse, line and paragraph breaks never repeat.
type textBuilder struct {
	sb        strings.Builder
	pendingSp bool
	breaks    int // pending line breaks, at most 2
}

var spaceRun = regexp.MustCompile(`[\s\x{00a0}]+`)

func (b *textBuilder) words(s string) {
	if s == "" {
		return
	}
	lead := s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r'
	trimmed := strings.TrimSpace(spaceRun.ReplaceAllString(s, " "))
	if trimmed == "" {
		b.pendingSp = b.sb.Len() > 0
		return
	}
	if lead {
		b.pendingSp = true
	}
	b.flush()
	b.sb.WriteString(trimmed)
	last := s[len(s)-1]
	b.pendingSp = last == ' ' || last == '\t' || last == '\n' || last == '\r'
}

func (b *textBuilder) raw(s string) {
	b.flush()
	b.sb.WriteString(s)
}

func (b *textBuilder) flush() {
	if b.sb.Len() > 0 {
		switch {
		case b.breaks > 0:
			b.sb.WriteString(strings.Repeat("\n", b.breaks))
		case b.pendingSp:
			b.sb.WriteByte(' ')
		}
	}
	b.breaks, b.pendingSp = 0, false
}

func (b *textBuilder) newline()   { b.breaks = max(b.breaks, 1) }
func (b *textBuilder) paragraph() { b.breaks = 2 }

func (b *textBuilder) String() string { return strings.TrimSpace(b.sb.String()) }
