package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// QaRuleKind names what a scorecard criterion checks.
type QaRuleKind string

// The QA rules.
const (
	// QaGreeting: the agent's first reply contains one of Phrases.
	QaGreeting QaRuleKind = "greeting"
	// QaCompliance: every entry of Phrases occurs in some agent message;
	// an entry may list alternatives separated by "|" (one per language).
	QaCompliance QaRuleKind = "compliance_phrases"
	// QaForbidden: no agent message contains any of Phrases.
	QaForbidden QaRuleKind = "forbidden_words"
	// QaFirstResponse: the first agent reply (a call's answer) comes within
	// MaxSeconds of the customer's first message (of the call's arrival).
	QaFirstResponse QaRuleKind = "first_response_time"
	// QaNextResponse: every later customer message is answered within
	// MaxSeconds.
	QaNextResponse QaRuleKind = "next_response_time"
	// QaSentiment: the customer does not end negative, unless they ended
	// better than they started.
	QaSentiment QaRuleKind = "sentiment"
	// QaResolution: the interaction closed with one of Dispositions
	// (default RESOLVED).
	QaResolution QaRuleKind = "resolution"
	// QaTemplateUsed: an agent's written reply was sent from an approved
	// reply template whose category is one of Categories (any category
	// when none is listed).
	//
	// Approved: the ledger records ReplyTemplateUsed only for a published
	// version of a template that was not retired (KnowledgeItem.
	// UsableTemplate, checked when the reply is sent), so every recorded
	// use counts; QA does not read the knowledge base again, and a
	// template retired since still counts (it was approved when used).
	// The agent may have adapted the wording: the event does not say, and
	// the rule does not ask. Categories match without regard to case or
	// surrounding spaces.
	//
	// Applicability, so that conversations that had nothing to do with
	// those categories are not penalised:
	//   - the criterion is NA when no agent reply was written (a call):
	//     templates are for written replies;
	//   - with CustomerPhrases, it applies only when a customer message
	//     contains one of them (matched as the greeting's phrases are;
	//     e.g. "delivery", "parcel", "快递", "物流" for the delivery
	//     templates), and is NA otherwise;
	//   - without CustomerPhrases it applies to every written
	//     conversation the scorecard scores: narrow it with the
	//     scorecard's appliesTo (e.g. the queue those conversations go
	//     to), or give the criterion its own scorecard.
	//
	// It passes on the first reply from a template of a listed category
	// (evidence: that reply, then the customer message that made it
	// apply) and fails otherwise (evidence: what was missing, the
	// customer message that made it apply, and any replies from
	// templates of other categories).
	QaTemplateUsed QaRuleKind = "template_used"
)

// QaRuleKinds lists every rule.
var QaRuleKinds = []QaRuleKind{QaGreeting, QaCompliance, QaForbidden, QaFirstResponse, QaNextResponse, QaSentiment, QaResolution, QaTemplateUsed}

// Valid reports whether k is a known rule.
func (k QaRuleKind) Valid() bool { return oneOf(k, QaRuleKinds) }

// QaCriterion is one line of a scorecard.
type QaCriterion struct {
	ID           string        `json:"id"`
	Kind         QaRuleKind    `json:"kind"`
	Weight       int           `json:"weight"`
	Phrases      []string      `json:"phrases,omitempty"`
	MaxSeconds   float64       `json:"maxSeconds,omitempty"`
	Dispositions []Disposition `json:"dispositions,omitempty"`
	// Categories (template_used only) are the reply-template categories
	// whose use passes the criterion; none means any category.
	Categories []string `json:"categories,omitempty"`
	// CustomerPhrases (template_used only) make the criterion apply only
	// to conversations where the customer wrote one of them.
	CustomerPhrases []string `json:"customerPhrases,omitempty"`
}

// QaScope selects the interactions a scorecard scores; empty lists match
// everything.
type QaScope struct {
	Channels []Channel `json:"channels,omitempty"`
	Queues   []string  `json:"queues,omitempty"`
}

// Scorecard is a set of weighted criteria.
type Scorecard struct {
	ID        string        `json:"id"`
	Name      string        `json:"name,omitempty"`
	AppliesTo QaScope       `json:"appliesTo"`
	Criteria  []QaCriterion `json:"criteria"`
}

// Applies reports whether the scorecard scores an interaction on channel
// in queue.
func (s Scorecard) Applies(channel Channel, queue string) bool {
	return (len(s.AppliesTo.Channels) == 0 || slices.Contains(s.AppliesTo.Channels, channel)) &&
		(len(s.AppliesTo.Queues) == 0 || slices.Contains(s.AppliesTo.Queues, queue))
}

// Validate checks a scorecard; the error names the first problem.
func (s Scorecard) Validate() error {
	if strings.TrimSpace(s.ID) == "" {
		return invalid("a scorecard needs an id")
	}
	if len(s.Criteria) == 0 {
		return invalid("scorecard %q has no criteria", s.ID)
	}
	for _, c := range s.AppliesTo.Channels {
		if !c.Valid() {
			return invalid("scorecard %q: unknown channel %q", s.ID, c)
		}
	}
	seen := map[string]bool{}
	for i, c := range s.Criteria {
		if err := c.validate(); err != nil {
			return invalid("scorecard %q, criterion %d: %s", s.ID, i+1, ErrorMessage(err))
		}
		if seen[c.ID] {
			return invalid("scorecard %q: criterion id %q is used twice", s.ID, c.ID)
		}
		seen[c.ID] = true
	}
	return nil
}

func (c QaCriterion) validate() error {
	switch {
	case strings.TrimSpace(c.ID) == "":
		return invalid("a criterion needs an id")
	case !c.Kind.Valid():
		return invalid("unknown rule %q (known: %v)", c.Kind, QaRuleKinds)
	case c.Weight < 0 || c.Weight > 1000:
		return invalid("weight %d is not within 0..1000", c.Weight)
	}
	switch c.Kind {
	case QaGreeting, QaCompliance, QaForbidden:
		if len(c.Phrases) == 0 || slices.ContainsFunc(c.Phrases, func(p string) bool { return normalizeText(p) == "" }) {
			return invalid("rule %s needs non-empty phrases", c.Kind)
		}
	case QaFirstResponse, QaNextResponse:
		if c.MaxSeconds <= 0 {
			return invalid("rule %s needs maxSeconds > 0", c.Kind)
		}
	case QaResolution:
		for _, d := range c.Dispositions {
			if !d.Valid() {
				return invalid("unknown disposition %q", d)
			}
		}
	case QaTemplateUsed:
		if len(c.Phrases) > 0 {
			return invalid("rule %s takes categories and customerPhrases, not phrases", c.Kind)
		}
		for _, cat := range c.Categories {
			cat = strings.TrimSpace(cat)
			if cat == "" || utf8.RuneCountInString(cat) > maxKnowledgeLabel || !utf8.ValidString(cat) {
				return invalid("rule %s needs categories of 1 to %d characters", c.Kind, maxKnowledgeLabel)
			}
		}
		if slices.ContainsFunc(c.CustomerPhrases, func(p string) bool { return normalizeText(p) == "" }) {
			return invalid("rule %s needs non-empty customerPhrases", c.Kind)
		}
	}
	if c.Kind != QaTemplateUsed && (len(c.Categories) > 0 || len(c.CustomerPhrases) > 0) {
		return invalid("categories and customerPhrases belong to rule %s, not %s", QaTemplateUsed, c.Kind)
	}
	return nil
}

// QaMessage is one message of a transcript. Tokens are the text's words,
// lower-cased, as a segmenter cut them (Chinese has no spaces between
// words, so the caller segments it; the domain does no I/O and loads no
// dictionary).
type QaMessage struct {
	ID        string
	FromAgent bool
	At        time.Time
	Text      string
	Tokens    []string
}

// QaTranscript is what the rules look at: a closed interaction.
type QaTranscript struct {
	InteractionID string
	Channel       Channel
	Queue         string
	AgentID       string
	StartedAt     time.Time
	ArrivedAt     time.Time // queued (or started, if never queued)
	AnsweredAt    time.Time // phone: the agent picked up
	ClosedAt      time.Time
	Disposition   Disposition
	Messages      []QaMessage
	// TemplateUses are the agent replies sent from reply templates
	// (ReplyTemplateUsed), in the order they were sent.
	TemplateUses []QaTemplateUse
}

// QaTemplateUse is an agent reply written from a reply template: the
// message, the template's id and version, and that version's category.
type QaTemplateUse struct {
	MessageID  string
	TemplateID string
	Version    int
	Category   string
}

// describe names the template for evidence notes (never message text).
func (u QaTemplateUse) describe() string {
	s := fmt.Sprintf("template %s v%d", u.TemplateID, u.Version)
	if u.Category != "" {
		s += " (" + u.Category + ")"
	}
	return s
}

// EvaluateScorecard scores a transcript: one result per criterion, in the
// scorecard's order, with the evidence each rests on.
func EvaluateScorecard(card Scorecard, t QaTranscript, lex SentimentLexicon) []QaCriterionResult {
	out := make([]QaCriterionResult, 0, len(card.Criteria))
	for _, c := range card.Criteria {
		res, evidence := evaluateCriterion(c, t, lex)
		out = append(out, QaCriterionResult{CriterionID: c.ID, Kind: c.Kind, Weight: c.Weight, Result: res, Evidence: evidence})
	}
	return out
}

func evaluateCriterion(c QaCriterion, t QaTranscript, lex SentimentLexicon) (QaResult, []QaEvidence) {
	switch c.Kind {
	case QaGreeting:
		return ruleGreeting(c, t)
	case QaCompliance:
		return ruleCompliance(c, t)
	case QaForbidden:
		return ruleForbidden(c, t)
	case QaFirstResponse:
		return ruleFirstResponse(c, t)
	case QaNextResponse:
		return ruleNextResponse(c, t)
	case QaSentiment:
		return ruleSentiment(t, lex)
	case QaResolution:
		return ruleResolution(c, t)
	case QaTemplateUsed:
		return ruleTemplateUsed(c, t)
	}
	return QaNA, nil
}

func (t QaTranscript) agentMessages() []QaMessage {
	var out []QaMessage
	for _, m := range t.Messages {
		if m.FromAgent {
			out = append(out, m)
		}
	}
	return out
}

func (t QaTranscript) customerTextMessages() []QaMessage {
	var out []QaMessage
	for _, m := range t.Messages {
		if !m.FromAgent && strings.TrimSpace(m.Text) != "" {
			out = append(out, m)
		}
	}
	return out
}

func ruleGreeting(c QaCriterion, t QaTranscript) (QaResult, []QaEvidence) {
	agent := t.agentMessages()
	if len(agent) == 0 {
		return QaNA, []QaEvidence{{Note: "no written agent reply"}}
	}
	first := agent[0]
	for _, p := range c.Phrases {
		if containsPhrase(first, p) {
			return QaPass, []QaEvidence{{MessageID: first.ID, Phrase: p}}
		}
	}
	return QaFail, []QaEvidence{{MessageID: first.ID, Note: "first reply has no greeting"}}
}

func ruleCompliance(c QaCriterion, t QaTranscript) (QaResult, []QaEvidence) {
	agent := t.agentMessages()
	if len(agent) == 0 {
		return QaNA, []QaEvidence{{Note: "no written agent reply"}}
	}
	result, evidence := QaPass, []QaEvidence{}
	for _, entry := range c.Phrases {
		m, phrase, ok := findAlternative(agent, entry)
		if ok {
			evidence = append(evidence, QaEvidence{MessageID: m.ID, Phrase: phrase})
			continue
		}
		result = QaFail
		evidence = append(evidence, QaEvidence{Phrase: entry, Note: "missing"})
	}
	return result, evidence
}

// findAlternative finds the first agent message containing one of entry's
// "|"-separated alternatives.
func findAlternative(messages []QaMessage, entry string) (QaMessage, string, bool) {
	for _, m := range messages {
		for _, alt := range strings.Split(entry, "|") {
			if strings.TrimSpace(alt) != "" && containsPhrase(m, alt) {
				return m, strings.TrimSpace(alt), true
			}
		}
	}
	return QaMessage{}, "", false
}

func ruleForbidden(c QaCriterion, t QaTranscript) (QaResult, []QaEvidence) {
	agent := t.agentMessages()
	if len(agent) == 0 {
		return QaNA, []QaEvidence{{Note: "no written agent reply"}}
	}
	var hits []QaEvidence
	for _, m := range agent {
		for _, w := range c.Phrases {
			if containsPhrase(m, w) {
				hits = append(hits, QaEvidence{MessageID: m.ID, Phrase: w})
			}
		}
	}
	if len(hits) > 0 {
		return QaFail, hits
	}
	return QaPass, nil
}

func ruleFirstResponse(c QaCriterion, t QaTranscript) (QaResult, []QaEvidence) {
	if t.Channel == ChannelPhone {
		if t.AnsweredAt.IsZero() {
			return QaFail, []QaEvidence{{Note: "call not answered"}}
		}
		return withinLimit(c, "", t.AnsweredAt.Sub(t.ArrivedAt))
	}
	since := t.StartedAt
	if cust := t.customerTextMessages(); len(cust) > 0 {
		since = cust[0].At
	}
	for _, m := range t.Messages {
		if m.FromAgent && !m.At.Before(since) {
			return withinLimit(c, m.ID, m.At.Sub(since))
		}
	}
	return QaFail, []QaEvidence{{Note: "no agent reply"}}
}

func withinLimit(c QaCriterion, messageID string, d time.Duration) (QaResult, []QaEvidence) {
	ev := []QaEvidence{{MessageID: messageID, Seconds: d.Seconds()}}
	if d.Seconds() <= c.MaxSeconds {
		return QaPass, ev
	}
	return QaFail, ev
}

// ruleNextResponse measures, for each customer message after the agent's
// first reply, how long the customer waited for the next agent message.
// Customer messages left unanswered at the close are not measured: a
// conversation's last words ("thanks, bye") usually need no reply, and a
// complaint left unanswered shows in sentiment and resolution instead.
func ruleNextResponse(c QaCriterion, t QaTranscript) (QaResult, []QaEvidence) {
	replied, waiting := false, time.Time{}
	worst, worstID, measured := time.Duration(-1), "", false
	for _, m := range t.Messages {
		switch {
		case m.FromAgent:
			if replied && !waiting.IsZero() {
				measured = true
				if d := m.At.Sub(waiting); d > worst {
					worst, worstID = d, m.ID
				}
			}
			replied, waiting = true, time.Time{}
		case replied && waiting.IsZero():
			waiting = m.At
		}
	}
	if !measured {
		return QaNA, []QaEvidence{{Note: "no customer message after the first reply"}}
	}
	return withinLimit(c, worstID, worst)
}

func ruleSentiment(t QaTranscript, lex SentimentLexicon) (QaResult, []QaEvidence) {
	cust := t.customerTextMessages()
	if len(cust) == 0 {
		return QaNA, []QaEvidence{{Note: "no customer text"}}
	}
	first, last := cust[0], cust[len(cust)-1]
	start, end := lex.Score(first.Tokens), lex.Score(last.Tokens)
	ev := []QaEvidence{
		{MessageID: first.ID, Sentiment: start, Note: "start"},
		{MessageID: last.ID, Sentiment: end, Note: "end"},
	}
	if end < 0 && end <= start {
		return QaFail, ev
	}
	return QaPass, ev
}

func ruleResolution(c QaCriterion, t QaTranscript) (QaResult, []QaEvidence) {
	ok := []Disposition{DispositionResolved}
	if len(c.Dispositions) > 0 {
		ok = c.Dispositions
	}
	ev := []QaEvidence{{Note: "disposition " + string(t.Disposition)}}
	if slices.Contains(ok, t.Disposition) {
		return QaPass, ev
	}
	return QaFail, ev
}

// ruleTemplateUsed: see QaTemplateUsed.
func ruleTemplateUsed(c QaCriterion, t QaTranscript) (QaResult, []QaEvidence) {
	if len(t.agentMessages()) == 0 {
		return QaNA, []QaEvidence{{Note: "no written agent reply"}}
	}
	var topic []QaEvidence
	if len(c.CustomerPhrases) > 0 {
		m, phrase, ok := findPhrase(t.customerTextMessages(), c.CustomerPhrases)
		if !ok {
			return QaNA, []QaEvidence{{Note: "the customer wrote none of the phrases the criterion applies to"}}
		}
		topic = []QaEvidence{{MessageID: m.ID, Phrase: phrase, Note: "customer raised the topic"}}
	}
	var others []QaEvidence
	for _, u := range t.TemplateUses {
		if c.countsCategory(u.Category) {
			return QaPass, append([]QaEvidence{{MessageID: u.MessageID, Note: u.describe()}}, topic...)
		}
		others = append(others, QaEvidence{MessageID: u.MessageID, Note: u.describe() + ": category not listed"})
	}
	missing := "no reply from an approved template"
	if len(c.Categories) > 0 {
		missing += " of category " + strings.Join(c.Categories, ", ")
	}
	return QaFail, append(append([]QaEvidence{{Note: missing}}, topic...), others...)
}

// countsCategory reports whether a template of category passes a
// template_used criterion.
func (c QaCriterion) countsCategory(category string) bool {
	if len(c.Categories) == 0 {
		return true
	}
	category = strings.TrimSpace(category)
	return slices.ContainsFunc(c.Categories, func(want string) bool { return strings.EqualFold(strings.TrimSpace(want), category) })
}

// findPhrase finds the first message containing one of phrases.
func findPhrase(messages []QaMessage, phrases []string) (QaMessage, string, bool) {
	for _, m := range messages {
		for _, p := range phrases {
			if containsPhrase(m, p) {
				return m, p, true
			}
		}
	}
	return QaMessage{}, "", false
}

// containsPhrase matches a phrase in a message. A phrase with Han (or other
// unspaced-script) characters matches as a substring of the normalised
// text: segmenters may cut a phrase differently from a sentence. A phrase
// of spaced words matches whole tokens in sequence, so "hell" does not
// match "hello".
func containsPhrase(m QaMessage, phrase string) bool {
	p := normalizeText(phrase)
	if p == "" {
		return false
	}
	if hasUnspacedScript(p) {
		return strings.Contains(normalizeText(m.Text), p)
	}
	words := strings.Fields(strings.Map(wordRune, p))
	if len(words) == 0 {
		return false
	}
	toks := wordTokens(m.Tokens)
	for i := 0; i+len(words) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(words)], words) {
			return true
		}
	}
	return false
}

// wordTokens keeps the tokens that hold a letter or digit, lower-cased and
// trimmed of punctuation ("you." -> "you"); apostrophes split as the
// segmenter does ("i'm" -> "i", "m").
func wordTokens(tokens []string) []string {
	out := make([]string, 0, len(tokens))
	for _, tok := range tokens {
		out = append(out, strings.Fields(strings.Map(wordRune, strings.ToLower(tok)))...)
	}
	return out
}

func wordRune(r rune) rune {
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return unicode.ToLower(r)
	}
	return ' '
}

// normalizeText lower-cases and collapses white space, so phrases match
// regardless of case and line breaks.
func normalizeText(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func hasUnspacedScript(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai) {
			return true
		}
	}
	return false
}

// String describes a criterion for logs and errors.
func (c QaCriterion) String() string {
	return fmt.Sprintf("%s (%s, weight %d)", c.ID, c.Kind, c.Weight)
}
