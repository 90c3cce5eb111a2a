package domain

import "strings"

// SentimentLexicon scores a message's words: +1 per positive word, -1 per
// negative one, the sign flipped when one of the two words before it is a
// negator ("not happy", "不 满意"). Lexicon entries are single tokens as a
// segmenter produces them; multi-character Chinese entries should also be
// known to the segmenter so they come out whole.
type SentimentLexicon struct {
	Positive map[string]bool
	Negative map[string]bool
	Negators map[string]bool
}

// Score is the message's sentiment in [-1, 1]: (positive - negative) /
// (positive + negative) over the lexicon words it holds, 0 with none.
func (l SentimentLexicon) Score(tokens []string) float64 {
	words := wordTokens(tokens)
	pos, neg := 0, 0
	for i, w := range words {
		polarity := 0
		switch {
		case l.Positive[w]:
			polarity = 1
		case l.Negative[w]:
			polarity = -1
		default:
			continue
		}
		if l.negated(words, i) {
			polarity = -polarity
		}
		if polarity > 0 {
			pos++
		} else {
			neg++
		}
	}
	if pos+neg == 0 {
		return 0
	}
	return float64(pos-neg) / float64(pos+neg)
}

func (l SentimentLexicon) negated(words []string, i int) bool {
	for j := max(0, i-2); j < i; j++ {
		if l.Negators[words[j]] {
			return true
		}
	}
	return false
}

// Words returns every word of the lexicon, for a segmenter to learn.
func (l SentimentLexicon) Words() []string {
	var out []string
	for _, m := range []map[string]bool{l.Positive, l.Negative, l.Negators} {
		for w := range m {
			out = append(out, w)
		}
	}
	return out
}

// DefaultSentimentLexicon is a small contact-centre lexicon in English and
// Chinese. It is deliberately short: words customers use about service,
// not a general-purpose sentiment dictionary.
func DefaultSentimentLexicon() SentimentLexicon {
	return SentimentLexicon{
		Positive: set(`thanks thank great good excellent perfect happy satisfied helpful appreciate resolved wonderful awesome love pleased fine
			谢谢 感谢 满意 很好 不错 好的 太好了 解决 帮助 专业 及时 方便 开心 赞 棒 完美 辛苦`),
		Negative: set(`angry disappointed terrible awful bad worst useless unacceptable complaint complain frustrated annoyed slow rude broken problem
			refund cancel never waste poor horrible ridiculous
			投诉 失望 生气 愤怒 太差 差劲 糟糕 垃圾 不负责任 问题 故障 退款 赔偿 慢 欺骗 骗 麻烦 无语 离谱 烦`),
		Negators: set(`not no never don didn isn wasn cannot 不 没 没有 别 未 不是 无`),
	}
}

func set(words string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(words) {
		out[strings.ToLower(w)] = true
	}
	return out
}
