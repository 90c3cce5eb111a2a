package projections

import (
	"slices"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func knowledgeDraft(id string, kind domain.KnowledgeKind, version int, c domain.KnowledgeContent) domain.KnowledgeDrafted {
	return domain.KnowledgeDrafted{ItemID: id, Kind: kind, Version: version, Content: c, By: "supervisor:s1", At: at(float64(version))}
}

func knowledgePublish(id string, version int) domain.KnowledgePublished {
	return domain.KnowledgePublished{ItemID: id, Version: version, By: "supervisor:s1", At: at(10)}
}

func hitIDs(hits []KnowledgeHit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// TestKnowledgeSearch indexes templates and articles in Chinese and
// English and searches them as an agent would: only live versions are
// found, a revision replaces its words, filters hold, and a retired item
// is gone from search.
func TestKnowledgeSearch(t *testing.T) {
	h := newHarness(t)
	delay := domain.KnowledgeContent{Title: "订单延迟", Body: "{{customer.displayName}}您好，您的订单因物流原因延迟，预计两天内送达。", Language: "zh",
		Category: "delivery", Tags: []string{"物流"}, Channels: []domain.Channel{domain.ChannelWeChat}}
	refund := domain.KnowledgeContent{Title: "Refund policy", Body: "Refunds are paid within 7 days of the return arriving.", Language: "en", Category: "billing", Tags: []string{"refund"}}
	broadband := domain.KnowledgeContent{Title: "宽带故障排查", Body: "请先重启光猫，再检查网线是否松动。", Language: "zh", Category: "fault"}
	draftOnly := domain.KnowledgeContent{Title: "订单延迟（草稿）", Body: "草稿：订单延迟的新说法", Language: "zh"}
	r := h.start(h.db)
	h.emit(r,
		knowledgeDraft("k-delay", domain.KnowledgeTemplate, 1, delay), knowledgePublish("k-delay", 1),
		knowledgeDraft("k-refund", domain.KnowledgeArticle, 1, refund), knowledgePublish("k-refund", 1),
		knowledgeDraft("k-broadband", domain.KnowledgeArticle, 1, broadband), knowledgePublish("k-broadband", 1),
		knowledgeDraft("k-draft", domain.KnowledgeTemplate, 1, draftOnly),
	)
	search := func(q KnowledgeQuery) []string {
		t.Helper()
		hits, err := h.db.SearchKnowledge(h.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(hits)
	}
	for _, tc := range []struct {
		name string
		q    KnowledgeQuery
		want []string
	}{
		{"Chinese words inside a sentence", KnowledgeQuery{Text: "我的订单延迟了怎么办"}, []string{"k-delay"}},
		{"traditional spelling finds simplified", KnowledgeQuery{Text: "我的訂單延遲了怎麼辦"}, []string{"k-delay"}},
		{"English, any case", KnowledgeQuery{Text: "REFUND"}, []string{"k-refund"}},
		{"a tag", KnowledgeQuery{Text: "物流"}, []string{"k-delay"}},
		{"a draft is not found", KnowledgeQuery{Text: "草稿"}, nil},
		{"filtered by kind", KnowledgeQuery{Text: "订单 宽带", Kind: domain.KnowledgeArticle}, []string{"k-broadband"}},
		{"filtered by channel: a template for WeChat", KnowledgeQuery{Text: "订单延迟", Channel: domain.ChannelWeChat}, []string{"k-delay"}},
		{"filtered by channel: not worded for SMS", KnowledgeQuery{Text: "订单延迟", Channel: domain.ChannelSMS}, nil},
		{"filtered by language", KnowledgeQuery{Text: "refund 订单", Language: "en"}, []string{"k-refund"}},
		{"no words", KnowledgeQuery{Text: "，。！"}, nil},
		{"quotes are words, not syntax", KnowledgeQuery{Text: `"refund" OR`}, []string{"k-refund"}},
	} {
		if got := search(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: found %v, want %v", tc.name, got, tc.want)
		}
	}
	hits, err := h.db.SearchKnowledge(h.ctx, KnowledgeQuery{Text: "延迟"})
	if err != nil || len(hits) != 1 || hits[0].Version != 1 || hits[0].Title != "订单延迟" || !slices.Equal(hits[0].Channels, []domain.Channel{domain.ChannelWeChat}) {
		t.Fatalf("hit %+v, %v", hits, err)
	}

	// A revision, once published, replaces the words searched.
	revised := delay
	revised.Title, revised.Body = "发货延误", "{{customer.displayName}}您好，仓库发货延误，我们已加急处理。"
	h.emit(r, knowledgeDraft("k-delay", domain.KnowledgeTemplate, 2, revised))
	if got := search(KnowledgeQuery{Text: "加急"}); got != nil {
		t.Fatalf("an unpublished revision is found: %v", got)
	}
	h.emit(r, knowledgePublish("k-delay", 2))
	if got := search(KnowledgeQuery{Text: "加急"}); !slices.Equal(got, []string{"k-delay"}) {
		t.Fatalf("the published revision: found %v", got)
	}
	if got := search(KnowledgeQuery{Text: "两天内送达"}); got != nil {
		t.Fatalf("the superseded version's words still find it: %v", got)
	}

	// Retired: out of search, its versions kept.
	h.emit(r, domain.KnowledgeRetired{ItemID: "k-delay", Reason: "replaced", By: "supervisor:s1", At: at(20)})
	if got := search(KnowledgeQuery{Text: "加急 延误"}); got != nil {
		t.Fatalf("a retired item is found: %v", got)
	}
	if n := count(t, h.db, "knowledge_versions", "id = ?", "k-delay"); n != 2 {
		t.Fatalf("%d versions kept, want 2", n)
	}
	if _, err := h.db.SearchKnowledge(h.ctx, KnowledgeQuery{Text: string(make([]rune, maxKnowledgeQuery+1))}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("an overlong search: %v", err)
	}
}

func TestSnippetAround(t *testing.T) {
	body := "Refunds are paid within 7 days of the return arriving at the warehouse in Shanghai."
	for _, tc := range []struct {
		words []string
		n     int
		want  string
	}{
		{[]string{"warehouse"}, 20, "… the warehouse in Sh…"},
		{[]string{"refunds"}, 12, "Refunds are …"},
		{[]string{"absent"}, 200, body},
	} {
		if got := snippetAround(body, tc.words, tc.n); got != tc.want {
			t.Errorf("snippet of %v in %d runes: %q, want %q", tc.words, tc.n, got, tc.want)
		}
	}
}
