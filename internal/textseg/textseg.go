// Package textseg cuts Chinese and English text into words, for the QA
// rules' phrases and the knowledge base's search.
package textseg

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/go-ego/gse"

	"github.com/interactionledger/ledger/domain"
)

// Segmenter cuts text into words: Chinese with gse's dictionary (embedded
// in the binary; loading it takes a few seconds, so it is loaded once, on
// first use), taught the lexicon's words so they come out whole. Text
// without Han characters is split on non-letters, which is all English
// needs.
type Segmenter struct {
	once  sync.Once
	seg   gse.Segmenter
	err   error
	words []string
	mu    sync.Mutex // gse's Cut is not documented as safe for concurrent use
}

// NewSegmenter returns a segmenter that also knows words (lexicon
// entries, phrases).
func NewSegmenter(words ...string) *Segmenter { return &Segmenter{words: words} }

var shared struct {
	once sync.Once
	seg  *Segmenter
}

// Shared returns one process-wide segmenter that knows the default
// sentiment lexicon's words: the dictionary is large, load it once.
func Shared() *Segmenter {
	shared.once.Do(func() { shared.seg = NewSegmenter(domain.DefaultSentimentLexicon().Words()...) })
	return shared.seg
}

func (s *Segmenter) load() error {
	s.once.Do(func() {
		seg, err := gse.NewEmbed("zh_s")
		if err != nil {
			s.err = fmt.Errorf("load the Chinese dictionary: %w", err)
			return
		}
		for _, w := range s.words {
			if HasHan(w) {
				_ = seg.AddToken(w, 100000)
			}
		}
		s.seg = seg
	})
	return s.err
}

// Tokens returns text's words, lower-cased, punctuation and spaces
// dropped.
func (s *Segmenter) Tokens(text string) ([]string, error) {
	if !HasHan(text) {
		return strings.FieldsFunc(strings.ToLower(text), notWord), nil
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	cut := s.seg.Cut(text, true)
	s.mu.Unlock()
	var out []string
	for _, tok := range cut {
		out = append(out, strings.FieldsFunc(strings.ToLower(tok), notWord)...)
	}
	return out, nil
}

func notWord(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// HasHan reports whether s holds a Chinese character.
func HasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
