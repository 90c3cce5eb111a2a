package domain

import (
	"strings"
	"unicode"
)

// TicketRule sets a ticket's category and/or priority when its subject or
// description contains one of the keywords. Keywords match without regard
// to case or width (full-width "ＶＩＰ" matches "vip"), in any language;
// Chinese keywords match as substrings, since Chinese is written without
// spaces, and so do English ones ("refund" matches "refunds").
type TicketRule struct {
	Name     string         `json:"name" yaml:"name"`
	Keywords []string       `json:"keywords" yaml:"keywords"`
	Category TicketCategory `json:"category,omitempty" yaml:"category,omitempty"`
	Priority Priority       `json:"priority,omitempty" yaml:"priority,omitempty"`
}

// Validate checks that the rule has keywords and sets something valid.
func (r TicketRule) Validate() error {
	if len(r.Keywords) == 0 {
		return invalid("ticket rule %q has no keywords", r.Name)
	}
	for _, k := range r.Keywords {
		if foldKeyword(k) == "" {
			return invalid("ticket rule %q has an empty keyword", r.Name)
		}
	}
	if r.Category == "" && r.Priority == "" {
		return invalid("ticket rule %q sets neither a category nor a priority", r.Name)
	}
	if r.Category != "" && !r.Category.Valid() {
		return invalid("ticket rule %q: unknown category %q", r.Name, r.Category)
	}
	if r.Priority != "" && !r.Priority.Valid() {
		return invalid("ticket rule %q: unknown priority %q", r.Name, r.Priority)
	}
	return nil
}

// TicketClassification is what the rules decided for a ticket, and which
// rules did.
type TicketClassification struct {
	Category TicketCategory
	Priority Priority
	// Matched names the rules that matched, in rule order.
	Matched []string
}

// ClassifyTicket applies the rules to a ticket's text. The category comes
// from the first matching rule that sets one; the priority is the highest
// any matching rule sets. Empty results mean no rule decided.
func ClassifyTicket(rules []TicketRule, subject, description string) TicketClassification {
	text := foldKeyword(subject + "\n" + description)
	var out TicketClassification
	for _, r := range rules {
		if !containsAny(text, r.Keywords) {
			continue
		}
		out.Matched = append(out.Matched, r.Name)
		if out.Category == "" && r.Category != "" {
			out.Category = r.Category
		}
		if r.Priority != "" && r.Priority.Rank() > out.Priority.Rank() {
			out.Priority = r.Priority
		}
	}
	return out
}

// ApplyTicketRules fills in the category and priority a person did not
// choose: an explicit category other than INQUIRY (the default a form
// sends) and an explicit priority above NORMAL are kept, since the agent or
// customer who chose them knows better than a keyword.
func ApplyTicketRules(rules []TicketRule, cmd OpenTicket) (OpenTicket, TicketClassification) {
	c := ClassifyTicket(rules, cmd.Subject, cmd.Description)
	if c.Category != "" && (cmd.Category == "" || cmd.Category == CategoryInquiry) {
		cmd.Category = c.Category
	}
	if cmd.Category == "" {
		cmd.Category = CategoryInquiry
	}
	if c.Priority != "" && c.Priority.Rank() > max(cmd.Priority.Rank(), 0) {
		cmd.Priority = c.Priority
	}
	return cmd, c
}

func containsAny(text string, keywords []string) bool {
	for _, k := range keywords {
		if k = foldKeyword(k); k != "" && strings.Contains(text, k) {
			return true
		}
	}
	return false
}

// foldKeyword normalises text for matching: full-width ASCII forms (common
// in Chinese input) become ASCII, letters lower case, runs of space one
// space.
func foldKeyword(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // FULLWIDTH EXCLAMATION MARK .. FULLWIDTH TILDE
			return unicode.ToLower(r - 0xFEE0)
		case r == 0x3000: // IDEOGRAPHIC SPACE
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// DefaultTicketRules classify tickets by keywords in Chinese and English
// when no rules file is given.
func DefaultTicketRules() []TicketRule {
	return []TicketRule{
		{Name: "complaint", Category: CategoryComplaint,
			Keywords: []string{"投诉", "不满", "差评", "太差", "骗", "complain", "complaint", "unacceptable", "disappointed", "rip-off"}},
		{Name: "fault", Category: CategoryFaultReport,
			Keywords: []string{"故障", "无法", "不能用", "坏了", "打不开", "报错", "断网", "not working", "broken", "error", "outage", "crash", "cannot", "can't", "doesn't work"}},
		{Name: "suggestion", Category: CategorySuggestion,
			Keywords: []string{"建议", "希望增加", "改进", "suggest", "suggestion", "feature request", "would be nice"}},
		{Name: "urgent", Priority: PriorityUrgent,
			Keywords: []string{"紧急", "尽快", "马上", "urgent", "asap", "immediately"}},
		{Name: "critical", Priority: PriorityCritical,
			Keywords: []string{"全部中断", "大面积", "停机", "安全事故", "数据丢失", "法律", "起诉", "lawsuit", "data loss", "security breach", "all down"}},
	}
}
