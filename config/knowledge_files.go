package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
)

// A knowledge file is one knowledge item (an article or a reply template)
// as a UTF-8 Markdown file, the form the knowledge base is kept in outside
// the ledger (`ledger knowledge import|export`):
//
//	---
//	id: tpl-delivery-delay-zh
//	kind: TEMPLATE
//	title: 订单延迟致歉
//	language: zh
//	category: delivery
//	businessDomain: logistics
//	tags: [延迟, 物流]
//	channels: [WEBCHAT, WECHAT]
//	status: published
//	---
//
//	{{customer.displayName}}您好，……
//
// The front matter between the two "---" lines is YAML with exactly the
// keys below; the body after it is Markdown for an article and the reply's
// text with {{variables}} for a template. The content is checked by the
// domain's own rules (domain.DecideKnowledge), so a file that parses is
// one the ledger accepts.

// Bounds of a knowledge file: a body of at most domain.MaxKnowledgeBody
// and a front matter of at most maxKnowledgeFrontMatter.
const (
	// MaxKnowledgeFile is the largest knowledge file read, in bytes.
	MaxKnowledgeFile        = domain.MaxKnowledgeBody + maxKnowledgeFrontMatter + 1024
	maxKnowledgeFrontMatter = 16 << 10
	// MaxKnowledgeID is the longest item id a knowledge file may have.
	MaxKnowledgeID = 64
)

// KnowledgeFileStatus is what a knowledge file asks of its item.
type KnowledgeFileStatus string

// Knowledge file statuses. Draft saves the content as the item's newest
// version without publishing it (it never unpublishes a live version);
// published saves it and makes it live; retired saves it and retires the
// item.
const (
	KnowledgeFileDraft     KnowledgeFileStatus = "draft"
	KnowledgeFilePublished KnowledgeFileStatus = "published"
	KnowledgeFileRetired   KnowledgeFileStatus = "retired"
)

// KnowledgeFile is a parsed knowledge file: one item's content and the
// status it should have.
type KnowledgeFile struct {
	ID     string
	Kind   domain.KnowledgeKind
	Status KnowledgeFileStatus
	// RetireReason is set exactly when Status is retired.
	RetireReason string
	// Content is normalized as the domain stores it (trimmed; tags
	// lower-cased, deduplicated and sorted; channels sorted).
	Content domain.KnowledgeContent
}

// Front-matter keys, in the order FormatKnowledgeFile writes them.
const (
	keyID             = "id"
	keyKind           = "kind"
	keyTitle          = "title"
	keyLanguage       = "language"
	keyCategory       = "category"
	keyBusinessDomain = "businessDomain"
	keyTags           = "tags"
	keyChannels       = "channels"
	keyStatus         = "status"
	keyRetireReason   = "retireReason"
)

var knowledgeKeys = []string{keyID, keyKind, keyTitle, keyLanguage, keyCategory, keyBusinessDomain, keyTags, keyChannels, keyStatus, keyRetireReason}

var knowledgeIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// ValidKnowledgeID reports whether id may name a knowledge file: 1 to
// MaxKnowledgeID lower-case ASCII letters, digits, '-' and '_', starting
// with a letter or digit. Files are named by id, so ids differing only in
// case would collide on some file systems.
func ValidKnowledgeID(id string) bool {
	return len(id) <= MaxKnowledgeID && knowledgeIDPattern.MatchString(id)
}

// knowledgeDelimiter opens and closes the front matter.
const knowledgeDelimiter = "---"

// lineError is an EINVALID error about line n of a knowledge file (1 is
// the first; 0 for the file as a whole).
func lineError(n int, format string, args ...any) error {
	if n <= 0 {
		return domain.Errorf(domain.EINVALID, format, args...)
	}
	return domain.Errorf(domain.EINVALID, "line %d: %s", n, fmt.Sprintf(format, args...))
}

// ParseKnowledgeFile reads a knowledge file. It is strict: the front
// matter must hold the known keys only, each once, with values of the
// right shape (no YAML anchors, aliases or tags); id, kind, title,
// language and status are required, retireReason exactly when status is
// retired; and the content must be one the domain accepts (a template's
// variables included). A Windows line ending (CRLF) reads as "\n" and a
// leading byte-order mark is skipped. Errors are *domain.Error with code
// EINVALID, naming the line when there is one.
func ParseKnowledgeFile(data []byte) (KnowledgeFile, error) {
	if len(data) > MaxKnowledgeFile {
		return KnowledgeFile{}, lineError(0, "a knowledge file is at most %d bytes, this one is %d", MaxKnowledgeFile, len(data))
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return KnowledgeFile{}, lineError(invalidUTF8Line(data), "not UTF-8 text")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	first, rest, _ := strings.Cut(text, "\n")
	if first != knowledgeDelimiter {
		return KnowledgeFile{}, lineError(1, "a knowledge file starts with a line %q, then the front matter", knowledgeDelimiter)
	}
	front, body, bodyLine, ok := cutFrontMatter(rest)
	if !ok {
		return KnowledgeFile{}, lineError(1, "the front matter opened here is never closed by a line %q", knowledgeDelimiter)
	}
	if len(front) > maxKnowledgeFrontMatter {
		return KnowledgeFile{}, lineError(2, "the front matter is at most %d bytes, this one is %d", maxKnowledgeFrontMatter, len(front))
	}
	f, lines, err := parseFrontMatter(front)
	if err != nil {
		return KnowledgeFile{}, err
	}
	f.Content.Body = body
	lines[knowledgeBodyField] = bodyLine
	return checkKnowledgeFile(f, lines, body)
}

// cutFrontMatter splits what follows the opening delimiter into the front
// matter and the body at the first line that is the closing delimiter;
// bodyLine is the file's line the body starts on.
func cutFrontMatter(rest string) (front, body string, bodyLine int, ok bool) {
	for off, line := 0, 2; ; line++ { // rest starts on the file's second line
		end := strings.IndexByte(rest[off:], '\n')
		if end < 0 {
			if rest[off:] == knowledgeDelimiter {
				return rest[:off], "", line + 1, true
			}
			return "", "", 0, false
		}
		if rest[off:off+end] == knowledgeDelimiter {
			return rest[:off], rest[off+end+1:], line + 1, true
		}
		off += end + 1
	}
}

// invalidUTF8Line is the line of the first byte that is not UTF-8.
func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// knowledgeBodyField keys the body's line among the front matter's.
const knowledgeBodyField = "body"

// yamlLine finds the line numbers in yaml.v3's messages.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlError reports a YAML syntax error at its line of the file (the
// front matter starts on the file's second line).
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil && m[0] == 0 && strings.HasPrefix(msg[m[1]:], ": ") {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		return lineError(n+1, "front matter: %s", msg[m[1]+2:])
	}
	return lineError(0, "front matter: %s", yamlLine.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "line "))
		return "line " + strconv.Itoa(n+1)
	}))
}

// parseFrontMatter decodes the front matter into f, returning the file
// line of each key found.
func parseFrontMatter(front string) (KnowledgeFile, map[string]int, error) {
	var f KnowledgeFile
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(front))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return f, nil, yamlError(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return f, nil, yamlError(err)
	default:
		return f, nil, lineError(extra.Line+1, "the front matter must be one YAML document")
	}
	lines := map[string]int{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return f, lines, lineError(2, "the front matter is empty: it needs at least %s, %s, %s, %s and %s", keyID, keyKind, keyTitle, keyLanguage, keyStatus)
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return f, nil, lineError(m.Line+1, "the front matter must be keys and values (key: value), one a line")
	}
	if err := plainNode(m); err != nil {
		return f, nil, err
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + 1
		if err := plainNode(k); err != nil {
			return f, nil, err
		}
		if k.Kind != yaml.ScalarNode || !slices.Contains(knowledgeKeys, k.Value) {
			return f, nil, lineError(line, "unknown key %q (known: %s)", excerpt(k.Value), strings.Join(knowledgeKeys, ", "))
		}
		if _, dup := lines[k.Value]; dup {
			return f, nil, lineError(line, "%s is given twice (first on line %d)", k.Value, lines[k.Value])
		}
		lines[k.Value] = line
		if err := setKnowledgeField(&f, k.Value, v); err != nil {
			return f, nil, err
		}
	}
	for _, key := range []string{keyID, keyKind, keyTitle, keyLanguage, keyStatus} {
		if _, ok := lines[key]; !ok {
			return f, nil, lineError(2, "the front matter has no %s", key)
		}
	}
	return f, lines, nil
}

// plainNode refuses the YAML features a knowledge file has no use for.
func plainNode(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.AliasNode:
		return lineError(n.Line+1, "YAML aliases (*name) are not allowed in a knowledge file")
	case n.Anchor != "":
		return lineError(n.Line+1, "YAML anchors (&name) are not allowed in a knowledge file")
	case n.Style&yaml.TaggedStyle != 0:
		return lineError(n.Line+1, "YAML tags (%s) are not allowed in a knowledge file", excerpt(n.Tag))
	}
	return nil
}

// setKnowledgeField sets the field of f that key names from v.
func setKnowledgeField(f *KnowledgeFile, key string, v *yaml.Node) error {
	switch key {
	case keyTags, keyChannels:
		list, err := yamlList(key, v)
		if err != nil {
			return err
		}
		if key == keyTags {
			f.Content.Tags = list
			return nil
		}
		f.Content.Channels = make([]domain.Channel, len(list))
		for i, ch := range list {
			f.Content.Channels[i] = domain.Channel(ch)
		}
		return nil
	}
	s, err := yamlString(key, v)
	if err != nil {
		return err
	}
	switch key {
	case keyID:
		f.ID = s
	case keyKind:
		f.Kind = domain.KnowledgeKind(s)
	case keyTitle:
		f.Content.Title = s
	case keyLanguage:
		f.Content.Language = s
	case keyCategory:
		f.Content.Category = s
	case keyBusinessDomain:
		f.Content.BusinessDomain = s
	case keyStatus:
		f.Status = KnowledgeFileStatus(s)
	case keyRetireReason:
		f.RetireReason = s
	}
	return nil
}

// yamlString is the text of a scalar value (a null one is empty).
func yamlString(key string, v *yaml.Node) (string, error) {
	if err := plainNode(v); err != nil {
		return "", err
	}
	if v.Kind != yaml.ScalarNode {
		return "", lineError(v.Line+1, "%s must be a single value, not a list or a mapping", key)
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	return v.Value, nil
}

// yamlList is the text of a list's scalar items.
func yamlList(key string, v *yaml.Node) ([]string, error) {
	if err := plainNode(v); err != nil {
		return nil, err
	}
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, lineError(v.Line+1, "%s must be a list, such as [a, b]", key)
	}
	out := make([]string, 0, len(v.Content))
	for _, item := range v.Content {
		s, err := yamlString(key+" item", item)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// checkKnowledgeFile checks a parsed file and returns it normalized.
// lines gives the file line of each field, for errors; body is the body
// as written, to find the line of a template's bad variable.
func checkKnowledgeFile(f KnowledgeFile, lines map[string]int, body string) (KnowledgeFile, error) {
	if !ValidKnowledgeID(f.ID) {
		return f, lineError(lines[keyID], "id %q: 1 to %d lower-case letters, digits, '-' or '_', starting with a letter or digit", excerpt(f.ID), MaxKnowledgeID)
	}
	if f.Kind != domain.KnowledgeArticle && f.Kind != domain.KnowledgeTemplate {
		return f, lineError(lines[keyKind], "kind must be %s or %s, not %q", domain.KnowledgeArticle, domain.KnowledgeTemplate, excerpt(string(f.Kind)))
	}
	switch f.Status {
	case KnowledgeFileDraft, KnowledgeFilePublished:
		if _, ok := lines[keyRetireReason]; ok {
			return f, lineError(lines[keyRetireReason], "%s is only for status %s", keyRetireReason, KnowledgeFileRetired)
		}
	case KnowledgeFileRetired:
		if _, ok := lines[keyRetireReason]; !ok {
			return f, lineError(lines[keyStatus], "a retired item needs a %s", keyRetireReason)
		}
	default:
		return f, lineError(lines[keyStatus], "status must be %s, %s or %s, not %q", KnowledgeFilePublished, KnowledgeFileDraft, KnowledgeFileRetired, excerpt(string(f.Status)))
	}
	content, reason, err := decideKnowledgeFile(f)
	if err != nil {
		return f, contentError(f, err, lines, body)
	}
	f.Content, f.RetireReason = content, reason
	return f, nil
}

// decideKnowledgeFile applies the file to a new item with the domain's
// own decisions: the content and retirement reason returned are what the
// ledger would accept and store.
func decideKnowledgeFile(f KnowledgeFile) (domain.KnowledgeContent, string, error) {
	var at time.Time // the decisions are pure; no time is recorded
	k := domain.KnowledgeItem{ID: f.ID}
	cmds := []domain.KnowledgeCommand{domain.DraftKnowledge{Kind: f.Kind, Content: f.Content}}
	if f.Status == KnowledgeFileRetired {
		cmds = append(cmds, domain.RetireKnowledge{Reason: f.RetireReason})
	}
	var (
		content domain.KnowledgeContent
		reason  string
	)
	for _, cmd := range cmds {
		events, err := domain.DecideKnowledge(k, cmd, at)
		if err != nil {
			return content, reason, err
		}
		for _, e := range events {
			switch e := e.(type) {
			case domain.KnowledgeDrafted:
				content = e.Content
			case domain.KnowledgeRetired:
				reason = e.Reason
			}
			k = domain.EvolveKnowledge(k, e)
		}
	}
	return content, reason, nil
}

// contentError names the line of the field the domain refused: each
// field is tried alone on otherwise acceptable content, so the domain's
// rules are not repeated here.
func contentError(f KnowledgeFile, err error, lines map[string]int, body string) error {
	base := domain.KnowledgeContent{Title: "t", Body: "b", Language: domain.KnowledgeLanguages[0]}
	fields := []struct {
		key string
		set func(*domain.KnowledgeContent)
	}{
		{keyTitle, func(c *domain.KnowledgeContent) { c.Title = f.Content.Title }},
		{keyLanguage, func(c *domain.KnowledgeContent) { c.Language = f.Content.Language }},
		{keyCategory, func(c *domain.KnowledgeContent) { c.Category = f.Content.Category }},
		{keyBusinessDomain, func(c *domain.KnowledgeContent) { c.BusinessDomain = f.Content.BusinessDomain }},
		{keyTags, func(c *domain.KnowledgeContent) { c.Tags = f.Content.Tags }},
		{keyChannels, func(c *domain.KnowledgeContent) { c.Channels = f.Content.Channels }},
		{knowledgeBodyField, func(c *domain.KnowledgeContent) { c.Body = f.Content.Body }},
	}
	for _, field := range fields {
		c := base
		field.set(&c)
		try := f
		try.Content, try.Status = c, KnowledgeFileDraft
		if _, _, ferr := decideKnowledgeFile(try); ferr != nil {
			line := lines[field.key]
			if field.key == knowledgeBodyField && f.Kind == domain.KnowledgeTemplate {
				line = templateErrorLine(body, line)
			}
			return lineError(line, "%s: %s", field.key, domain.ErrorMessage(ferr))
		}
	}
	if f.Status == KnowledgeFileRetired {
		return lineError(lines[keyRetireReason], "%s: %s", keyRetireReason, domain.ErrorMessage(err))
	}
	return lineError(0, "%s", domain.ErrorMessage(err))
}

// templateErrorLine is the line of the first of the body's lines that is
// not a valid template on its own (the line of the bad variable), or
// bodyLine.
func templateErrorLine(body string, bodyLine int) int {
	for i, line := range strings.Split(body, "\n") {
		if _, err := domain.TemplateVariables(line); err != nil {
			return bodyLine + i
		}
	}
	return bodyLine
}

// excerpt cuts a value quoted in an error message.
func excerpt(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// FormatKnowledgeFile writes f as a knowledge file, which
// ParseKnowledgeFile reads back as f normalized. The output is
// deterministic: the keys in a fixed order, empty optional ones left out,
// lists on one line. f is checked as ParseKnowledgeFile checks a file.
func FormatKnowledgeFile(f KnowledgeFile) ([]byte, error) {
	lines := map[string]int{}
	if f.Status == KnowledgeFileRetired || f.RetireReason != "" {
		lines[keyRetireReason] = 0
	}
	f, err := checkKnowledgeFile(f, lines, f.Content.Body)
	if err != nil {
		return nil, fmt.Errorf("knowledge item %s: %w", excerpt(f.ID), err)
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	list := func(items []string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range items {
			n.Content = append(n.Content, str(s))
		}
		return n
	}
	add(keyID, str(f.ID))
	add(keyKind, str(string(f.Kind)))
	add(keyTitle, str(f.Content.Title))
	add(keyLanguage, str(f.Content.Language))
	if f.Content.Category != "" {
		add(keyCategory, str(f.Content.Category))
	}
	if f.Content.BusinessDomain != "" {
		add(keyBusinessDomain, str(f.Content.BusinessDomain))
	}
	if len(f.Content.Tags) > 0 {
		add(keyTags, list(f.Content.Tags))
	}
	if len(f.Content.Channels) > 0 {
		channels := make([]string, len(f.Content.Channels))
		for i, ch := range f.Content.Channels {
			channels[i] = string(ch)
		}
		add(keyChannels, list(channels))
	}
	add(keyStatus, str(string(f.Status)))
	if f.Status == KnowledgeFileRetired {
		add(keyRetireReason, str(strings.TrimSpace(f.RetireReason)))
	}
	var b bytes.Buffer
	b.WriteString(knowledgeDelimiter + "\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("knowledge item %s: %w", f.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("knowledge item %s: %w", f.ID, err)
	}
	b.WriteString(knowledgeDelimiter + "\n\n")
	b.WriteString(f.Content.Body)
	b.WriteString("\n")
	return b.Bytes(), nil
}
