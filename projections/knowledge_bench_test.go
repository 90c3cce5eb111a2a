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

// BenchmarkKnowledgeSearch searches 10,000 published articles and
// templates, half in Chinese, half in English, with queries written like
// customers' messages; it reports the latency percentiles of one search.
func BenchmarkKnowledgeSearch(b *testing.B) {
	h := newHarness(b)
	rng := rand.New(rand.NewPCG(7, 8))
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
	queries := make([]KnowledgeQuery, 200)
	for i := range queries {
		if i%2 == 0 {
			queries[i] = KnowledgeQuery{Text: "您好，" + benchText(rng, benchZhWords, 4, "") + "怎么办？", Limit: 5}
		} else {
			queries[i] = KnowledgeQuery{Text: "Hi, my " + benchText(rng, benchEnWords, 4, " ") + ", what now?", Limit: 5}
		}
	}
	if _, err := h.db.SearchKnowledge(h.ctx, queries[0]); err != nil { // loads the dictionary
		b.Fatal(err)
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		hits, err := h.db.SearchKnowledge(h.ctx, queries[i%len(queries)])
		took = append(took, time.Since(t0))
		if err != nil || len(hits) == 0 {
			b.Fatalf("search %q: %d hits, %v", queries[i%len(queries)].Text, len(hits), err)
		}
	}
	slices.Sort(took)
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
