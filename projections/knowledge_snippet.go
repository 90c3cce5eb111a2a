package projections

import (
	"strings"
	"unicode"

	"github.com/interactionledger/ledger/internal/textseg"
)

// SnippetPart is a run of a snippet's text, Match when it is one of the
// searched words (the desktop shows those highlighted; the text is plain,
// never markup).
type SnippetPart struct {
	Text  string
	Match bool
}

// snippetRunes is how long a hit's snippet is.
const snippetRunes = 80

// snippetOf returns at most n runes of text, starting a little before the
// first of words it holds, or at its start, cut into matched and unmatched
// runs. words are search tokens (lower case, simplified Chinese): a
// Chinese word matches where the text, in simplified spelling, holds it;
// another word matches a word of the text it shares its stem with.
func snippetOf(text string, words []string, n int) []SnippetPart {
	runes := []rune(text)
	match := matchedRunes(runes, words)
	start := 0
	for i, m := range match {
		if m {
			start = max(0, i-n/4)
			break
		}
	}
	end := min(len(runes), start+n)
	var parts []SnippetPart
	if start > 0 {
		parts = append(parts, SnippetPart{Text: "…"})
	}
	for i := start; i < end; {
		j := i
		for j < end && match[j] == match[i] {
			j++
		}
		parts = appendPart(parts, SnippetPart{Text: string(runes[i:j]), Match: match[i]})
		i = j
	}
	if end < len(runes) {
		parts = appendPart(parts, SnippetPart{Text: "…"})
	}
	return parts
}

// appendPart appends p, joined to the last part when both are unmatched.
func appendPart(parts []SnippetPart, p SnippetPart) []SnippetPart {
	if k := len(parts) - 1; k >= 0 && !p.Match && !parts[k].Match {
		parts[k].Text += p.Text
		return parts
	}
	return append(parts, p)
}

// SnippetString is a snippet's parts written out.
func SnippetString(parts []SnippetPart) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// matchedRunes marks the runes of text that belong to one of words.
func matchedRunes(text []rune, words []string) []bool {
	match := make([]bool, len(text))
	lower := []rune(strings.ToLower(string(text)))
	if len(lower) != len(text) { // lower-casing changed the length: match on the text as written
		lower = text
	}
	var han, other []string
	for _, w := range words {
		if textseg.HasHan(w) {
			han = append(han, w)
		} else {
			other = append(other, w)
		}
	}
	if len(han) > 0 {
		if !markHan(match, lower, han) {
			// Maybe written in traditional characters: look again in the
			// simplified spelling when it keeps every character's place.
			if simple, err := textseg.Simplified(string(lower)); err == nil {
				if s := []rune(simple); len(s) == len(lower) {
					markHan(match, s, han)
				}
			}
		}
	}
	markWords(match, lower, other)
	return match
}

// markHan marks every occurrence of the Chinese words in text and reports
// whether it found one.
func markHan(match []bool, text []rune, words []string) bool {
	found := false
	for _, w := range words {
		wr := []rune(w)
		for i := 0; i+len(wr) <= len(text); i++ {
			if runesEqual(text[i:i+len(wr)], wr) {
				found = true
				for k := range wr {
					match[i+k] = true
				}
			}
		}
	}
	return found
}

func runesEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// markWords marks the words of text (runs of letters and digits outside
// Chinese) that share a stem with one of words.
func markWords(match []bool, text []rune, words []string) {
	if len(words) == 0 {
		return
	}
	for i := 0; i < len(text); {
		if !isWordRune(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isWordRune(text[j]) {
			j++
		}
		word := string(text[i:j])
		for _, w := range words {
			if sameStem(word, w) {
				for k := i; k < j; k++ {
					match[k] = true
				}
				break
			}
		}
		i = j
	}
}

func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r)
}

// sameStem reports whether two lower-case words are one word in another
// form (refund, refunds, refunded; charge, charging), closely enough for
// highlighting: equal, or sharing all but at most the last letter of the
// shorter, and at least four letters.
func sameStem(a, b string) bool {
	if a == b {
		return true
	}
	ar, br := []rune(a), []rune(b)
	shorter := min(len(ar), len(br))
	common := 0
	for common < shorter && ar[common] == br[common] {
		common++
	}
	return common >= 4 && common >= shorter-1
}
