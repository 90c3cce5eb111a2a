package textseg

import (
	"slices"
	"testing"
)

// TestSegmenterCutsChinese: Chinese is cut into words by the dictionary,
// not on spaces (there are none), and lexicon words come out whole.
func TestSegmenterCutsChinese(t *testing.T) {
	toks, err := Shared().Tokens("您好，我对你们的服务很不满意，太不负责任了！")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"您好", "服务", "满意", "不负责任"} {
		if !slices.Contains(toks, want) {
			t.Errorf("tokens %q lack %q", toks, want)
		}
	}
	if slices.Contains(toks, "，") || slices.Contains(toks, "！") {
		t.Errorf("tokens %q keep punctuation", toks)
	}
	en, _ := Shared().Tokens("Hello, I'm NOT happy!")
	if !slices.Equal(en, []string{"hello", "i", "m", "not", "happy"}) {
		t.Errorf("english tokens %q", en)
	}
}
