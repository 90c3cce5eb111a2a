package projections

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Words of generated knowledge articles and of the messages searched
// with, in the contact centre's five starter topics.
var (
	benchZhWords = []string{"订单", "延迟", "发货", "物流", "快递", "退款", "退货", "账单", "扣费", "发票", "宽带", "故障", "断网", "光猫", "重启",
		"密码", "账号", "安全", "验证码", "冻结", "客服", "处理", "预计", "时间", "地址", "修改", "取消", "补偿", "优惠", "投诉"}
	benchEnWords = []string{"order", "delay", "shipping", "courier", "refund", "return", "bill", "charge", "invoice", "broadband", "fault", "outage",
		"router", "restart", "password", "account", "security", "code", "locked", "support", "process", "estimate", "time", "address", "change",
		"cancel", "compensation", "discount", "complaint", "delivery"}
)

func benchText(rng *rand.Rand, words []string, n int, sep string) string {
	out := make([]string, n)
	for i := range out {
		out[i] = words[rng.IntN(len(words))]
	}
	return strings.Join(out, sep)
}

// benchKnowledgeBase indexes 10,000 published articles and templates,
// half in Chinese, half in English.
func benchKnowledgeBase(b *testing.B, rng *rand.Rand) *harness {
	h := newHarness(b)
	const items = 10_000
	var events []domain.Event
	for i := range items {
		id := fmt.Sprintf("k%05d", i)
		c := domain.KnowledgeContent{Language: "zh", Title: benchText(rng, benchZhWords, 3, ""), Body: benchText(rng, benchZhWords, 40, "，")}
		if i%2 == 1 {
			c = domain.KnowledgeContent{Language: "en", Title: benchText(rng, benchEnWords, 3, " "), Body: benchText(rng, benchEnWords, 40, " ")}
		}
		kind := domain.KnowledgeArticle
		if i%3 == 0 {
			kind = domain.KnowledgeTemplate
		}
		events = append(events, knowledgeDraft(id, kind, 1, c), knowledgePublish(id, 1))
	}
	start := time.Now()
	h.append(events...)
	h.runToHead(h.db)
	b.Logf("indexed %d items in %v", items, time.Since(start).Round(time.Millisecond))
	return h
}

// benchCustomerText is a message as a customer writes it, in Chinese or
// English.
func benchCustomerText(rng *rand.Rand, chinese bool) string {
	if chinese {
		return "您好，" + benchText(rng, benchZhWords, 4, "") + "怎么办？"
	}
	return "Hi, my " + benchText(rng, benchEnWords, 4, " ") + ", what now?"
}

// measureLatency runs op in the benchmark's loop and reports the p50 and
// p99 of one call.
func measureLatency(b *testing.B, op func(i int) error) {
	if err := op(0); err != nil { // loads the dictionary
		b.Fatal(err)
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		err := op(i)
		took = append(took, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	slices.Sort(took)
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkKnowledgeSearch searches 10,000 published articles and
// templates with queries written like customers' messages; it reports
// the latency percentiles of one search.
func BenchmarkKnowledgeSearch(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	h := benchKnowledgeBase(b, rng)
	queries := make([]KnowledgeQuery, 200)
	for i := range queries {
		queries[i] = KnowledgeQuery{Text: benchCustomerText(rng, i%2 == 0), Limit: 5}
	}
	measureLatency(b, func(i int) error {
		hits, err := h.db.SearchKnowledge(h.ctx, queries[i%len(queries)])
		if err == nil && len(hits) == 0 {
			err = fmt.Errorf("search %q: no hits", queries[i%len(queries)].Text)
		}
		return err
	})
}

// BenchmarkSuggestKnowledge asks for one interaction's suggestions as
// suggestReplies does (templates for the channel, then articles) over the
// same 10,000 items, for the agent's draft and the customer's last three
// messages; it reports the latency percentiles of the pair.
func BenchmarkSuggestKnowledge(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	h := benchKnowledgeBase(b, rng)
	queries := make([]SuggestQuery, 200)
	for i := range queries {
		zh := i%2 == 0
		language := map[bool]string{true: "zh", false: "en"}[zh]
		queries[i] = SuggestQuery{Language: language, Channel: domain.ChannelWeChat, Limit: 3, Texts: []SuggestionText{
			{benchText(rng, map[bool][]string{true: benchZhWords, false: benchEnWords}[zh], 2, " "), 2},
			{benchCustomerText(rng, zh), 1.5}, {benchCustomerText(rng, zh), 1.125}, {benchCustomerText(rng, zh), 0.84},
		}}
	}
	measureLatency(b, func(i int) error {
		q := queries[i%len(queries)]
		q.Kind = domain.KnowledgeTemplate
		templates, err := h.db.SuggestKnowledge(h.ctx, q)
		if err != nil {
			return err
		}
		q.Kind, q.Channel = domain.KnowledgeArticle, ""
		articles, err := h.db.SuggestKnowledge(h.ctx, q)
		if err == nil && (len(templates) == 0 || len(articles) == 0) {
			err = fmt.Errorf("suggest %v: %d templates, %d articles", q.Texts, len(templates), len(articles))
		}
		return err
	})
}
