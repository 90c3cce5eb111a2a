package projections

import (
	"maps"
	"slices"
	"strings"
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

func TestSnippetMarksTheWordsFound(t *testing.T) {
	body := "Refunds are paid within 7 days of the return arriving at the warehouse in Shanghai."
	for _, tc := range []struct {
		name  string
		body  string
		words []string
		n     int
		want  string // the snippet, matched runs in [brackets]
	}{
		{"starts a little before the first word", body, []string{"warehouse"}, 20, "… the [warehouse] in Sh…"},
		{"at the start", body, []string{"refunds"}, 12, "[Refunds] are …"},
		{"another form of the word", body, []string{"refunded", "arrive"}, 200, "[Refunds] are paid within 7 days of the return [arriving] at the warehouse in Shanghai."},
		{"short words are not stemmed", body, []string{"pay"}, 200, body},
		{"nothing found: the start", body, []string{"absent"}, 200, body},
		{"every occurrence in Chinese", "订单延迟了吗？订单号是多少", []string{"订单"}, 80, "[订单]延迟了吗？[订单]号是多少"},
		{"traditional text, simplified words", "您的訂單已延遲", []string{"订单", "延迟"}, 80, "您的[訂單]已[延遲]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			for _, p := range snippetOf(tc.body, tc.words, tc.n) {
				if p.Match {
					b.WriteString("[" + p.Text + "]")
				} else {
					b.WriteString(p.Text)
				}
			}
			if got := b.String(); got != tc.want {
				t.Errorf("snippet of %v in %d runes: %q, want %q", tc.words, tc.n, got, tc.want)
			}
		})
	}
}

// TestSuggestKnowledge ranks items for a conversation: words of several
// texts count by the texts' weights, English words meet in other forms,
// and filters hold.
func TestSuggestKnowledge(t *testing.T) {
	h := newHarness(t)
	items := map[string]domain.KnowledgeContent{
		"t-delay":   {Title: "Order delayed", Body: "Hello {{customer.displayName}}, your parcel is delayed by the courier.", Language: "en", Category: "delivery"},
		"t-refund":  {Title: "Refund issued", Body: "We have refunded your payment; it arrives in 7 days.", Language: "en", Category: "refunds"},
		"t-address": {Title: "Change delivery address", Body: "We can change the address while the parcel is in the warehouse.", Language: "en", Category: "delivery"},
		"t-zh":      {Title: "订单延迟", Body: "您好，您的订单因物流原因延迟。", Language: "zh", Category: "delivery"},
	}
	r := h.start(h.db)
	for _, id := range slices.Sorted(maps.Keys(items)) {
		h.emit(r, knowledgeDraft(id, domain.KnowledgeTemplate, 1, items[id]), knowledgePublish(id, 1))
	}
	suggest := func(q SuggestQuery) []string {
		t.Helper()
		hits, err := h.db.SuggestKnowledge(h.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(hits)
	}
	for _, tc := range []struct {
		name string
		q    SuggestQuery
		want []string
	}{
		{"another form of a word", SuggestQuery{Texts: []SuggestionText{{"my refunds?", 1}}}, []string{"t-refund"}},
		{"the heavier text leads",
			SuggestQuery{Texts: []SuggestionText{{"where is my parcel, it is delayed", 1}, {"change the address", 3}}, Language: "en"},
			[]string{"t-address", "t-delay"}},
		{"both texts' words add up",
			SuggestQuery{Texts: []SuggestionText{{"parcel delayed", 1}, {"courier", 1}}, Limit: 1},
			[]string{"t-delay"}},
		{"filtered by language", SuggestQuery{Texts: []SuggestionText{{"订单延迟 delayed", 1}}, Language: "zh"}, []string{"t-zh"}},
		{"a text without words, or weight, counts for nothing", SuggestQuery{Texts: []SuggestionText{{"?!", 1}, {"refund", 0}}}, nil},
	} {
		if got := suggest(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: suggested %v, want %v", tc.name, got, tc.want)
		}
	}
	hits, err := h.db.SuggestKnowledge(h.ctx, SuggestQuery{Texts: []SuggestionText{{"refund", 1}}})
	if err != nil || len(hits) != 1 || SnippetString(hits[0].Snippet) != items["t-refund"].Body || !hits[0].Snippet[1].Match {
		t.Fatalf("the snippet marks the word in another form: %+v, %v", hits, err)
	}
}
