package textseg

import (
	"fmt"
	"sync"

	"github.com/longbridgeapp/opencc"
)

// toSimplified converts traditional Chinese to simplified (OpenCC's t2s,
// dictionaries embedded in the binary, loaded on first use).
var toSimplified struct {
	once sync.Once
	cc   *opencc.OpenCC
	err  error
	mu   sync.Mutex // the converter is not documented as safe for concurrent use
}

// Simplified returns text with its traditional Chinese characters and
// phrases written in simplified Chinese (臺灣 → 台湾, 訂單 → 订单), so that a
// search in either spelling finds the other. Text without Chinese is
// returned as it is.
func Simplified(text string) (string, error) {
	if !HasHan(text) {
		return text, nil
	}
	toSimplified.once.Do(func() {
		if toSimplified.cc, toSimplified.err = opencc.New("t2s"); toSimplified.err != nil {
			toSimplified.err = fmt.Errorf("load the traditional-to-simplified dictionary: %w", toSimplified.err)
		}
	})
	if toSimplified.err != nil {
		return "", toSimplified.err
	}
	toSimplified.mu.Lock()
	defer toSimplified.mu.Unlock()
	out, err := toSimplified.cc.Convert(text)
	if err != nil {
		return "", fmt.Errorf("simplify: %w", err)
	}
	return out, nil
}

// SearchTokens returns the words of text for a search index or query:
// written in simplified Chinese first, then cut by Tokens.
func (s *Segmenter) SearchTokens(text string) ([]string, error) {
	simple, err := Simplified(text)
	if err != nil {
		return nil, err
	}
	return s.Tokens(simple)
}
