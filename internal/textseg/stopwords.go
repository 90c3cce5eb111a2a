package textseg

// stopWords are the words that say nothing of what a message is about in
// English and Chinese (pronouns, auxiliaries, particles, fillers). A
// search typed as keywords keeps them; suggestions drawn from whole
// messages drop them, or every template holding "it" or "的" would match.
var stopWords = setOf(
	// English
	"a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before",
	"being", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from", "get", "got", "had", "has",
	"have", "having", "he", "her", "here", "hi", "hello", "him", "his", "how", "i", "if", "im", "in", "into", "is", "it", "its",
	"just", "me", "my", "myself", "no", "not", "now", "of", "on", "or", "our", "please", "pls", "she", "so", "some",
	"still", "than", "thanks", "thank", "that", "the", "their", "them", "then", "there", "these", "they", "this",
	"to", "too", "u", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "who", "why",
	"will", "with", "would", "you", "your", "yours", "ok", "okay", "yes", "dont", "cant", "ive", "ll", "s", "t", "m",
	// Chinese
	"的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "嗯", "我", "我的", "你", "你们", "您", "您好", "你好", "他", "她",
	"它", "我们", "是", "在", "有", "和", "与", "就", "都", "也", "还", "又", "很", "太", "这", "那", "这个", "那个",
	"怎么", "怎么办", "什么", "为什么", "一下", "一个", "请", "请问", "谢谢", "麻烦", "能", "可以", "要", "想", "给",
	"把", "被", "让", "到", "说", "问", "现在", "已经", "然后", "但是", "而且", "因为", "所以", "如果", "不", "没", "没有",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// WithoutStopWords returns tokens without the stop words (in place).
func WithoutStopWords(tokens []string) []string {
	out := tokens[:0]
	for _, t := range tokens {
		if !stopWords[t] {
			out = append(out, t)
		}
	}
	return out
}
