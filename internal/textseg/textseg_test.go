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

// TestSearchTokensMeetAcrossSpellings: traditional and simplified
// spellings of a message give the same words.
func TestSearchTokensMeetAcrossSpellings(t *testing.T) {
	for _, pair := range [][2]string{
		{"我的訂單延遲了，請幫忙處理", "我的订单延迟了，请帮忙处理"},
		{"寬頻斷線", "宽频断线"},
		{"Refund DELAY", "refund delay"},
	} {
		trad, err := Shared().SearchTokens(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		simple, err := Shared().SearchTokens(pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(trad, simple) {
			t.Errorf("%q gives %q, %q gives %q", pair[0], trad, pair[1], simple)
		}
	}
}
