// Package summarize drafts an interaction's closing summary from its
// conversation, in Chinese or English: extractive, so every sentence of
// the draft is one the customer or the agent wrote, ranked by how much of
// what the conversation was about it holds (words segmented by
// internal/textseg). The agent edits the draft; nothing here invents text.
package summarize

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/interactionledger/ledger/internal/textseg"
)

// Line is one message of a conversation, in order.
type Line struct {
	FromAgent bool
	Text      string
}

// MaxRunes bounds a draft: a summary is read at a glance.
const MaxRunes = 300

// sentence is a sentence of the conversation with its place and words.
type sentence struct {
	text      string
	fromAgent bool
	order     int // in the conversation
	words     []string
	score     float64
}

// Draft returns a summary of the conversation of at most MaxRunes runes:
// what the customer asked (their sentence that best covers the
// conversation's words, the first one favoured) and what the agent
// answered (likewise, the last one favoured), each labelled, then more
// sentences while they fit. A conversation without a sentence of
// substance (only greetings, or no text: a call) drafts "".
func Draft(lines []Line) (string, error) {
	sentences, err := sentencesOf(lines)
	if err != nil || len(sentences) == 0 {
		return "", err
	}
	score(sentences)
	chosen := choose(sentences)
	return write(chosen, textseg.HasHan(joinTexts(sentences))), nil
}

// sentencesOf cuts the lines into sentences and segments each; sentences
// with fewer than two words that are not stop words are dropped (hello,
// thanks, 好的).
func sentencesOf(lines []Line) ([]sentence, error) {
	var out []sentence
	for _, l := range lines {
		for _, s := range splitSentences(l.Text) {
			words, err := textseg.Shared().SearchTokens(s)
			if err != nil {
				return nil, err
			}
			words = textseg.WithoutStopWords(words)
			if len(words) < 2 {
				continue
			}
			out = append(out, sentence{text: s, fromAgent: l.FromAgent, order: len(out), words: words})
		}
	}
	return out, nil
}

// splitSentences cuts text after sentence-ending punctuation (Chinese and
// Western) and at line breaks, keeping the punctuation.
func splitSentences(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
		b.Reset()
	}
	runes := []rune(text)
	for i, r := range runes {
		if r == '\n' || r == '\r' {
			flush()
			continue
		}
		b.WriteRune(r)
		switch r {
		case '。', '！', '？', '；', '!', '?', ';':
			flush()
		case '.':
			// A full stop ends a sentence before a space or the end, not
			// inside "7.5" or "e.g".
			if i+1 == len(runes) || unicode.IsSpace(runes[i+1]) {
				flush()
			}
		}
	}
	flush()
	return out
}

// score rates each sentence by how common its words are in the whole
// conversation (what it keeps coming back to), averaged over the root of
// its length so long sentences do not win by length alone; the customer's
// first sentence (the reason for contact) and the agent's last (the
// outcome) are favoured.
func score(sentences []sentence) {
	freq := map[string]int{}
	for _, s := range sentences {
		for _, w := range distinct(s.words) {
			freq[w]++
		}
	}
	firstCustomer, lastAgent := -1, -1
	for i, s := range sentences {
		if !s.fromAgent && firstCustomer < 0 {
			firstCustomer = i
		}
		if s.fromAgent {
			lastAgent = i
		}
	}
	for i := range sentences {
		words := distinct(sentences[i].words)
		sum := 0.0
		for _, w := range words {
			sum += float64(freq[w])
		}
		sentences[i].score = sum / math.Sqrt(float64(len(words)))
		if i == firstCustomer || i == lastAgent {
			sentences[i].score *= 1.5
		}
	}
}

func distinct(words []string) []string {
	out := slices.Clone(words)
	slices.Sort(out)
	return slices.Compact(out)
}

// choose picks the customer's best sentence and the agent's best, then
// the best of the rest while the draft stays within MaxRunes, in the
// conversation's order.
func choose(sentences []sentence) []sentence {
	ranked := slices.Clone(sentences)
	slices.SortStableFunc(ranked, func(a, b sentence) int { return cmp.Compare(b.score, a.score) })
	var chosen []sentence
	runes := 0
	take := func(s sentence) {
		if slices.ContainsFunc(chosen, func(c sentence) bool { return c.order == s.order }) {
			return
		}
		if n := utf8.RuneCountInString(s.text); runes+n <= MaxRunes-20 || len(chosen) == 0 {
			chosen, runes = append(chosen, s), runes+n
		}
	}
	for _, agent := range []bool{false, true} {
		if i := slices.IndexFunc(ranked, func(s sentence) bool { return s.fromAgent == agent }); i >= 0 {
			take(ranked[i])
		}
	}
	for _, s := range ranked {
		if len(chosen) >= 4 {
			break
		}
		take(s)
	}
	slices.SortFunc(chosen, func(a, b sentence) int { return cmp.Compare(a.order, b.order) })
	return chosen
}

// write labels the customer's and the agent's sentences, each run of one
// speaker once, and cuts the draft to MaxRunes.
func write(chosen []sentence, chinese bool) string {
	customer, agent, sep := "Customer: ", "Agent: ", " "
	if chinese {
		customer, agent, sep = "客户：", "坐席：", ""
	}
	var b strings.Builder
	for i, s := range chosen {
		if i == 0 || s.fromAgent != chosen[i-1].fromAgent {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(map[bool]string{false: customer, true: agent}[s.fromAgent])
		} else {
			b.WriteString(sep)
		}
		b.WriteString(s.text)
	}
	out := []rune(b.String())
	if len(out) > MaxRunes {
		return string(out[:MaxRunes-1]) + "…"
	}
	return string(out)
}

func joinTexts(sentences []sentence) string {
	var b strings.Builder
	for _, s := range sentences {
		b.WriteString(s.text)
	}
	return b.String()
}
