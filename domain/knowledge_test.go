package domain_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func delayTemplate() domain.KnowledgeContent {
	return domain.KnowledgeContent{
		Title: " 订单延迟 ", Body: "{{customer.displayName}}您好，订单 {{ ticket.number }} 已延迟，我们会尽快发货。",
		Language: "zh", Category: "delivery", Tags: []string{"Delay", "delay", " 物流 "}, Channels: []domain.Channel{domain.ChannelWeChat, domain.ChannelSMS, domain.ChannelWeChat},
	}
}

func foldKnowledge(events ...domain.Event) domain.KnowledgeItem {
	k := domain.KnowledgeItem{ID: "k1"}
	for _, e := range events {
		k = domain.EvolveKnowledge(k, e)
	}
	return k
}

func TestDecideKnowledge(t *testing.T) {
	at := now
	drafted := domain.KnowledgeDrafted{ItemID: "k1", Kind: domain.KnowledgeTemplate, Version: 1, By: "s1", At: at,
		Content: domain.KnowledgeContent{Title: "订单延迟", Body: "{{customer.displayName}}您好", Language: "zh"}}
	v2 := drafted
	v2.Version, v2.Content.Body = 2, "{{customer.displayName}}，您好"
	published := domain.KnowledgePublished{ItemID: "k1", Version: 1, By: "s1", At: at}
	retired := domain.KnowledgeRetired{ItemID: "k1", Reason: "out of date", By: "s1", At: at}
	article := domain.KnowledgeContent{Title: "Refunds", Body: "# Refunds\nWithin 7 days.", Language: "en"}

	tests := []struct {
		name    string
		history []domain.Event
		cmd     domain.KnowledgeCommand
		want    []domain.Event // nil with wantErr "" means nothing to record
		wantErr string
	}{
		{"a new template is drafted, trimmed and its tags and channels tidied", nil,
			domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: delayTemplate(), By: "s1"},
			[]domain.Event{domain.KnowledgeDrafted{ItemID: "k1", Kind: domain.KnowledgeTemplate, Version: 1, By: "s1", At: at, Content: domain.KnowledgeContent{
				Title: "订单延迟", Body: "{{customer.displayName}}您好，订单 {{ ticket.number }} 已延迟，我们会尽快发货。", Language: "zh", Category: "delivery",
				Tags: []string{"delay", "物流"}, Channels: []domain.Channel{domain.ChannelSMS, domain.ChannelWeChat}}}}, ""},
		{"a new article", nil, domain.DraftKnowledge{Kind: domain.KnowledgeArticle, Content: article, By: "s1"},
			[]domain.Event{domain.KnowledgeDrafted{ItemID: "k1", Kind: domain.KnowledgeArticle, Version: 1, Content: article, By: "s1", At: at}}, ""},
		{"a new item needs a kind", nil, domain.DraftKnowledge{Content: article}, nil, domain.EINVALID},
		{"an article is not worded per channel", nil,
			domain.DraftKnowledge{Kind: domain.KnowledgeArticle, Content: domain.KnowledgeContent{Title: "t", Body: "b", Language: "en", Channels: []domain.Channel{domain.ChannelSMS}}}, nil, domain.EINVALID},
		{"an unknown language", nil, domain.DraftKnowledge{Kind: domain.KnowledgeArticle, Content: domain.KnowledgeContent{Title: "t", Body: "b", Language: "fr"}}, nil, domain.EINVALID},
		{"no title", nil, domain.DraftKnowledge{Kind: domain.KnowledgeArticle, Content: domain.KnowledgeContent{Title: "  ", Body: "b", Language: "en"}}, nil, domain.EINVALID},
		{"no body", nil, domain.DraftKnowledge{Kind: domain.KnowledgeArticle, Content: domain.KnowledgeContent{Title: "t", Language: "en"}}, nil, domain.EINVALID},
		{"a body too long", nil, domain.DraftKnowledge{Kind: domain.KnowledgeArticle, Content: domain.KnowledgeContent{Title: "t", Body: strings.Repeat("x", domain.MaxKnowledgeBody+1), Language: "en"}}, nil, domain.EINVALID},
		{"a template with an unknown variable", nil,
			domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: domain.KnowledgeContent{Title: "t", Body: "Hi {{custmer.name}}", Language: "en"}}, nil, domain.EINVALID},
		{"an unknown channel", nil,
			domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: domain.KnowledgeContent{Title: "t", Body: "b", Language: "en", Channels: []domain.Channel{"FAX"}}}, nil, domain.EINVALID},
		{"a revision is the next version", []domain.Event{drafted, published},
			domain.DraftKnowledge{Content: v2.Content, By: "s1"}, []domain.Event{v2}, ""},
		{"the same content again records nothing", []domain.Event{drafted},
			domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: drafted.Content, By: "s1"}, nil, ""},
		{"a revision keeps the kind", []domain.Event{drafted},
			domain.DraftKnowledge{Kind: domain.KnowledgeArticle, Content: article}, nil, domain.EINVALID},
		{"publish the newest version", []domain.Event{drafted, v2},
			domain.PublishKnowledge{By: "s1"}, []domain.Event{domain.KnowledgePublished{ItemID: "k1", Version: 2, By: "s1", At: at}}, ""},
		{"publish an earlier version back", []domain.Event{drafted, published, v2, domain.KnowledgePublished{ItemID: "k1", Version: 2, By: "s1", At: at}},
			domain.PublishKnowledge{Version: 1, By: "s1"}, []domain.Event{published}, ""},
		{"publishing the live version records nothing", []domain.Event{drafted, published},
			domain.PublishKnowledge{Version: 1, By: "s1"}, nil, ""},
		{"no such version", []domain.Event{drafted}, domain.PublishKnowledge{Version: 3}, nil, domain.EINVALID},
		{"nothing to publish", nil, domain.PublishKnowledge{}, nil, domain.ENOTFOUND},
		{"retire", []domain.Event{drafted, published}, domain.RetireKnowledge{Reason: " out of date ", By: "s1"}, []domain.Event{retired}, ""},
		{"retire needs a reason", []domain.Event{drafted}, domain.RetireKnowledge{Reason: " "}, nil, domain.EINVALID},
		{"retiring twice records nothing", []domain.Event{drafted, retired}, domain.RetireKnowledge{Reason: "again"}, nil, ""},
		{"a retired item takes no new version", []domain.Event{drafted, retired}, domain.DraftKnowledge{Content: v2.Content}, nil, domain.ECONFLICT},
		{"a retired item is not published again", []domain.Event{drafted, published, retired}, domain.PublishKnowledge{Version: 1}, nil, domain.ECONFLICT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := domain.DecideKnowledge(foldKnowledge(tc.history...), tc.cmd, at)
			if domain.ErrorCode(err) != tc.wantErr {
				t.Fatalf("err = %v, want code %q", err, tc.wantErr)
			}
			if !eventsEqual(got, tc.want) {
				t.Fatalf("events\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func eventsEqual(a, b []domain.Event) bool {
	return slices.EqualFunc(a, b, func(x, y domain.Event) bool {
		_, _, dx, _ := domain.EncodeEvent(x)
		_, _, dy, _ := domain.EncodeEvent(y)
		return x.EventType() == y.EventType() && string(dx) == string(dy)
	})
}

func TestKnowledgeLifecycle(t *testing.T) {
	at := now
	v := func(n int, body string) domain.Event {
		return domain.KnowledgeDrafted{ItemID: "k1", Kind: domain.KnowledgeArticle, Version: n, By: "s1", At: at.Add(time.Duration(n) * time.Minute),
			Content: domain.KnowledgeContent{Title: "Refunds", Body: body, Language: "en"}}
	}
	publish := func(n int) domain.Event {
		return domain.KnowledgePublished{ItemID: "k1", Version: n, By: "s1", At: at.Add(time.Hour)}
	}
	tests := []struct {
		name    string
		history []domain.Event
		status  domain.KnowledgeStatus
		live    int
		pending int
	}{
		{"drafted", []domain.Event{v(1, "a")}, domain.KnowledgeStatusDraft, 0, 1},
		{"two drafts, none published", []domain.Event{v(1, "a"), v(2, "b")}, domain.KnowledgeStatusDraft, 0, 2},
		{"published", []domain.Event{v(1, "a"), publish(1)}, domain.KnowledgeStatusPublished, 1, 0},
		{"first published at its second draft", []domain.Event{v(1, "a"), v(2, "b"), publish(2)}, domain.KnowledgeStatusPublished, 2, 0},
		{"published with a revision pending", []domain.Event{v(1, "a"), publish(1), v(2, "b")}, domain.KnowledgeStatusPublished, 1, 2},
		{"revised", []domain.Event{v(1, "a"), publish(1), v(2, "b"), publish(2)}, domain.KnowledgeStatusRevised, 2, 0},
		{"rolled back to its first version", []domain.Event{v(1, "a"), publish(1), v(2, "b"), publish(2), publish(1)}, domain.KnowledgeStatusRevised, 1, 0},
		{"retired", []domain.Event{v(1, "a"), publish(1), domain.KnowledgeRetired{ItemID: "k1", Reason: "r", At: at}}, domain.KnowledgeStatusRetired, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := foldKnowledge(tc.history...)
			if k.Status() != tc.status || k.Live != tc.live || k.PendingRevision() != tc.pending {
				t.Fatalf("status %s, live %d, pending %d; want %s, %d, %d", k.Status(), k.Live, k.PendingRevision(), tc.status, tc.live, tc.pending)
			}
			if len(k.Versions) == 0 || k.Versions[0].Content.Body != "a" {
				t.Fatalf("the first version is not kept: %+v", k.Versions)
			}
		})
	}
}

func TestFoldKnowledgeStream(t *testing.T) {
	state, err := domain.FoldStream(domain.KnowledgeStream("k1"), []domain.Event{
		domain.KnowledgeDrafted{ItemID: "k1", Kind: domain.KnowledgeArticle, Version: 1, Content: domain.KnowledgeContent{Title: "t", Body: "b", Language: "en"}, At: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := state.(domain.KnowledgeItem); !ok || k.ID != "k1" || k.Status() != domain.KnowledgeStatusDraft {
		t.Fatalf("folded %#v", state)
	}
}

func TestTemplates(t *testing.T) {
	values := map[domain.TemplateVariable]string{domain.VarCustomerName: "王芳", domain.VarTicketNumber: "T0000000042"}
	tests := []struct {
		name, text, want string
		vars             []domain.TemplateVariable
		wantErr          bool
	}{
		{"plain text", "您好，请稍等。", "您好，请稍等。", nil, false},
		{"variables filled", "{{customer.displayName}}您好，工单 {{ ticket.number }} 已处理。", "王芳您好，工单 T0000000042 已处理。",
			[]domain.TemplateVariable{domain.VarCustomerName, domain.VarTicketNumber}, false},
		{"a variable without a value stays for the agent", "Dear {{customer.displayName}}, {{agent.name}} here.", "Dear 王芳, {{agent.name}} here.",
			[]domain.TemplateVariable{domain.VarCustomerName, domain.VarAgentName}, false},
		{"a variable used twice is listed once", "{{customer.displayName}} {{customer.displayName}}", "王芳 王芳",
			[]domain.TemplateVariable{domain.VarCustomerName}, false},
		{"an unknown variable", "Hi {{customer.email}}", "", nil, true},
		{"an unclosed variable", "Hi {{customer.displayName", "", nil, true},
		{"an empty variable", "Hi {{ }}", "", nil, true},
		{"single braces are text", "{a} {b}}", "{a} {b}}", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars, err := domain.TemplateVariables(tc.text)
			filled, ferr := domain.FillTemplate(tc.text, values)
			if tc.wantErr {
				if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorCode(ferr) != domain.EINVALID {
					t.Fatalf("errors %v, %v; want EINVALID", err, ferr)
				}
				return
			}
			if err != nil || ferr != nil {
				t.Fatal(err, ferr)
			}
			if filled != tc.want || !slices.Equal(vars, tc.vars) {
				t.Fatalf("filled %q with %v; want %q with %v", filled, vars, tc.want, tc.vars)
			}
		})
	}
}

// FuzzTemplate feeds templates as authors (or an import file) may write
// them: a template is either refused with EINVALID or parses, and then
// filling it with no values gives it back unchanged except for the
// spacing inside its braces.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"", "您好", "{{customer.displayName}}您好", "{{ ticket.number }}", "{{", "}}", "{{}}", "{{{customer.tier}}}", "a{{agent.name}}b{{x}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		vars, err := domain.TemplateVariables(text)
		filled, ferr := domain.FillTemplate(text, nil)
		if (err == nil) != (ferr == nil) {
			t.Fatalf("TemplateVariables says %v, FillTemplate %v", err, ferr)
		}
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		for _, v := range vars {
			if !slices.Contains(domain.TemplateVariableNames, v) || !strings.Contains(filled, "{{"+string(v)+"}}") {
				t.Fatalf("variable %q of %q missing from %q", v, text, filled)
			}
		}
		if again, err := domain.FillTemplate(filled, nil); err != nil || again != filled {
			t.Fatalf("filling %q again gave %q, %v", filled, again, err)
		}
	})
}

func TestUsableTemplate(t *testing.T) {
	at := now
	draft := func(kind domain.KnowledgeKind, n int) domain.Event {
		return domain.KnowledgeDrafted{ItemID: "k1", Kind: kind, Version: n, By: "s1", At: at,
			Content: domain.KnowledgeContent{Title: "Delay", Body: "v" + string(rune('0'+n)), Language: "en", Category: "delivery"}}
	}
	publish := func(n int) domain.Event { return domain.KnowledgePublished{ItemID: "k1", Version: n, By: "s1", At: at} }
	tests := []struct {
		name    string
		history []domain.Event
		version int
		body    string // of the version answered
		code    string
	}{
		{"the live version", []domain.Event{draft(domain.KnowledgeTemplate, 1), publish(1)}, 1, "v1", ""},
		{"a version live before a revision", []domain.Event{draft(domain.KnowledgeTemplate, 1), publish(1), draft(domain.KnowledgeTemplate, 2), publish(2)}, 1, "v1", ""},
		{"a draft never published", []domain.Event{draft(domain.KnowledgeTemplate, 1), publish(1), draft(domain.KnowledgeTemplate, 2)}, 2, "", domain.EINVALID},
		{"a version that does not exist", []domain.Event{draft(domain.KnowledgeTemplate, 1), publish(1)}, 3, "", domain.EINVALID},
		{"a retired template", []domain.Event{draft(domain.KnowledgeTemplate, 1), publish(1), domain.KnowledgeRetired{ItemID: "k1", Reason: "r", At: at}}, 1, "", domain.ECONFLICT},
		{"an article", []domain.Event{draft(domain.KnowledgeArticle, 1), publish(1)}, 1, "", domain.EINVALID},
		{"no such item", nil, 1, "", domain.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := foldKnowledge(tc.history...).UsableTemplate(tc.version)
			if got := domain.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v (code %q), want code %q", err, got, tc.code)
			}
			if c.Body != tc.body {
				t.Fatalf("body %q, want %q", c.Body, tc.body)
			}
		})
	}
}
