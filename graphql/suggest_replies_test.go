package graphql

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// TestReplySuggestionsThroughTheAPI: a customer writes on WeChat about a
// late order; the agent's suggestions are the WeChat delay template in
// Chinese with the customer's and the agent's names filled (the ticket
// number missing until a ticket is linked) and the delivery article; the
// reply sent from the template records ReplyTemplateUsed after
// MessageSent; a retired template may not be used; the closing summary
// is drafted and the close records that the draft was kept.
func TestReplySuggestionsThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	supervisor, agent, analyst := e.token(auth.RoleSupervisor, "s-1"), e.token(auth.RoleAgent, "a-1"), e.token(auth.RoleAnalyst, "an-1")
	e.registerAgent("a-1", "李雷")
	publish := func(kind, title, body, language, channels string) string {
		t.Helper()
		var d struct{ DraftKnowledge struct{ ID string } }
		e.post(supervisor, `mutation($kind: KnowledgeKind, $t: String!, $b: String!, $l: String!) { draftKnowledge(kind: $kind, title: $t, body: $b, language: $l,
			category: "delivery", channels: [`+channels+`]) { id } }`, map[string]any{"kind": kind, "t": title, "b": body, "l": language}).ok(t).decode(t, &d)
		e.post(supervisor, `mutation($id: ID!) { publishKnowledge(id: $id) { status } }`, map[string]any{"id": d.DraftKnowledge.ID}).ok(t)
		return d.DraftKnowledge.ID
	}
	delay := publish("TEMPLATE", "订单延迟", "{{customer.displayName}}您好，我是{{agent.name}}。您的订单（工单 {{ticket.number}}）因物流原因延迟，预计两天内送达。", "zh", "WECHAT")
	smsDelay := publish("TEMPLATE", "订单延迟（短信）", "您的订单延迟，两天内送达。", "zh", "SMS")
	english := publish("TEMPLATE", "Order delayed", "Hello {{customer.displayName}}, your order is delayed.", "en", "")
	article := publish("ARTICLE", "物流延迟处理流程", "订单延迟超过三天：先查物流，再联系仓库加急。", "zh", "")
	refund := publish("TEMPLATE", "退款进度", "{{customer.displayName}}您好，退款将在7个工作日内原路退回。", "zh", "")

	in, err := e.cmds.ReceiveInbound(e.ctx, commands.InboundMessage{
		Channel: domain.ChannelWeChat, From: domain.Identity{Kind: domain.IdentityWeChat, Value: "wx-openid-1"},
		DisplayName: "王芳", ProviderMessageID: "wx-1", Text: "我的订单一周了还没到，是不是延迟了？", SentAt: time.Now().UTC(),
	}, commands.Meta{})
	must(t, err, "inbound")
	e.settle()

	type suggestions struct {
		SuggestReplies struct {
			Language  string
			Templates []struct {
				Template struct {
					ID           string
					Version      int
					SnippetParts []struct {
						Text  string
						Match bool
					}
				}
				Text             string
				MissingVariables []string
			}
			Articles []struct{ ID string }
		}
	}
	const query = `query($id: ID!, $draft: String) { suggestReplies(interactionId: $id, draft: $draft) {
		language templates { template { id version snippetParts { text match } } text missingVariables } articles { id } } }`
	suggest := func(draft string) suggestions {
		t.Helper()
		var s suggestions
		e.post(agent, query, map[string]any{"id": in.InteractionID, "draft": draft}).ok(t).decode(t, &s)
		return s
	}
	s := suggest("")
	got := s.SuggestReplies
	if got.Language != "zh" || len(got.Templates) == 0 || got.Templates[0].Template.ID != delay {
		t.Fatalf("suggestions for a late order on WeChat: %+v", got)
	}
	for _, tpl := range got.Templates {
		if tpl.Template.ID == smsDelay || tpl.Template.ID == english {
			t.Fatalf("suggested %s: worded for SMS, or in English", tpl.Template.ID)
		}
	}
	first := got.Templates[0]
	if want := "王芳您好，我是李雷。您的订单（工单 {{ticket.number}}）因物流原因延迟，预计两天内送达。"; first.Text != want || !slices.Equal(first.MissingVariables, []string{"ticket.number"}) {
		t.Fatalf("filled %q missing %v, want %q missing [ticket.number]", first.Text, first.MissingVariables, want)
	}
	if !slices.ContainsFunc(first.Template.SnippetParts, func(p struct {
		Text  string
		Match bool
	}) bool {
		return p.Match && p.Text == "延迟"
	}) {
		t.Fatalf("the snippet does not mark 延迟: %+v", first.Template.SnippetParts)
	}
	if len(got.Articles) != 1 || got.Articles[0].ID != article {
		t.Fatalf("articles %+v, want [%s]", got.Articles, article)
	}

	// The agent's draft leads: typing about a refund brings the refund
	// template first.
	if s := suggest("退款什么时候到"); len(s.SuggestReplies.Templates) == 0 || s.SuggestReplies.Templates[0].Template.ID != refund {
		t.Fatalf("with a draft about a refund: %+v", s.SuggestReplies.Templates)
	}
	// An English draft asks in English.
	if s := suggest("your order is delayed"); s.SuggestReplies.Language != "en" || len(s.SuggestReplies.Templates) != 1 || s.SuggestReplies.Templates[0].Template.ID != english {
		t.Fatalf("with an English draft: %+v", s.SuggestReplies)
	}

	// A linked ticket fills its number.
	_, tk, err := e.cmds.OpenTicket(e.ctx, domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryComplaint, Subject: "late order", InteractionID: in.InteractionID}, commands.Meta{Actor: "agent:a-1"})
	must(t, err, "open ticket")
	e.settle()
	first = suggest("").SuggestReplies.Templates[0]
	if !strings.Contains(first.Text, "工单 "+tk.Number+"）") || len(first.MissingVariables) != 0 {
		t.Fatalf("with a ticket: %q missing %v", first.Text, first.MissingVariables)
	}
	if codes := e.post(analyst, query, map[string]any{"id": in.InteractionID}).codes(); !slices.Equal(codes, []string{"FORBIDDEN"}) {
		t.Fatalf("an analyst asking for suggestions: %v", codes)
	}

	// Sent from the template: MessageSent, then ReplyTemplateUsed.
	const reply = `mutation($id: ID!, $text: String!, $tpl: ID!, $v: Int!) { replyToInteraction(interactionId: $id, text: $text, template: {id: $tpl, version: $v}) { position } }`
	e.post(agent, reply, map[string]any{"id": in.InteractionID, "text": first.Text, "tpl": delay, "v": first.Template.Version}).ok(t)
	events := e.streamEvents(domain.InteractionStream(in.InteractionID))
	n := len(events)
	sent, used := events[n-2], events[n-1]
	if m, ok := sent.(domain.MessageSent); !ok || m.Text != first.Text || m.AgentID != "a-1" {
		t.Fatalf("the reply: %#v", sent)
	}
	if u, ok := used.(domain.ReplyTemplateUsed); !ok || u.TemplateID != delay || u.Version != 1 || u.Category != "delivery" || u.MessageID != sent.(domain.MessageSent).MessageID {
		t.Fatalf("the template's use: %#v", used)
	}
	e.post(supervisor, `mutation($id: ID!) { retireKnowledge(id: $id, reason: "carrier changed") { status } }`, map[string]any{"id": delay}).ok(t)
	if codes := e.post(agent, reply, map[string]any{"id": in.InteractionID, "text": "x", "tpl": delay, "v": 1}).codes(); !slices.Equal(codes, []string{"CONFLICT"}) {
		t.Fatalf("a reply from a retired template: %v, want CONFLICT", codes)
	}
	if codes := e.post(agent, reply, map[string]any{"id": in.InteractionID, "text": "x", "tpl": article, "v": 1}).codes(); !slices.Equal(codes, []string{"BAD_USER_INPUT"}) {
		t.Fatalf("a reply from an article: %v, want BAD_USER_INPUT", codes)
	}
	if len(e.streamEvents(domain.InteractionStream(in.InteractionID))) != n {
		t.Fatal("a refused reply was recorded")
	}
	e.settle()
	for _, tpl := range suggest("").SuggestReplies.Templates {
		if tpl.Template.ID == delay {
			t.Fatal("a retired template is still suggested")
		}
	}

	// The closing summary: drafted for the agent, not for the analyst;
	// kept as drafted, the close says so.
	var draft struct {
		Interaction struct{ SummaryDraft *string }
	}
	const summary = `query($id: ID!) { interaction(id: $id) { summaryDraft } }`
	e.post(agent, summary, map[string]any{"id": in.InteractionID}).ok(t).decode(t, &draft)
	d := draft.Interaction.SummaryDraft
	if d == nil || !strings.HasPrefix(*d, "客户：我的订单一周了还没到") || !strings.Contains(*d, "坐席：") {
		t.Fatalf("summary draft %v", d)
	}
	var masked struct {
		Interaction struct{ SummaryDraft *string }
	}
	e.post(analyst, summary, map[string]any{"id": in.InteractionID}).ok(t).decode(t, &masked)
	if masked.Interaction.SummaryDraft != nil {
		t.Fatalf("an analyst sees a summary draft: %q", *masked.Interaction.SummaryDraft)
	}
	e.post(agent, `mutation($id: ID!, $s: String!) { closeInteraction(interactionId: $id, disposition: RESOLVED, summary: $s, draftSummary: $s) { position } }`,
		map[string]any{"id": in.InteractionID, "s": *d}).ok(t)
	events = e.streamEvents(domain.InteractionStream(in.InteractionID))
	if c, ok := events[len(events)-1].(domain.InteractionClosed); !ok || !c.SummaryDrafted || c.SummaryEdited || c.Summary != *d {
		t.Fatalf("closed: %#v", events[len(events)-1])
	}
}

// streamEvents decodes a stream's events.
func (e *env) streamEvents(stream string) []domain.Event {
	e.t.Helper()
	recs, err := e.store.ReadStream(e.ctx, stream, 0, 1000)
	must(e.t, err, "read %s", stream)
	out := make([]domain.Event, len(recs))
	for i, r := range recs {
		out[i], err = domain.DecodeEvent(r.Type, r.Schema, r.Data)
		must(e.t, err, "decode %s", r.Type)
	}
	return out
}

// TestInteractionIdentityCheck: the API says how far the channel vouched
// for the identity a contact came in with.
func TestInteractionIdentityCheck(t *testing.T) {
	e := newEnv(t)
	agent := e.token(auth.RoleAgent, "a-1")
	call := func(key string, check domain.IdentityCheck) string {
		res, err := e.cmds.ReceiveInbound(e.ctx, commands.InboundMessage{
			Channel: domain.ChannelPhone, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"},
			ProviderMessageID: key, ConversationKey: key, IdentityCheck: check, SentAt: time.Now().UTC(),
		}, commands.Meta{})
		must(t, err, "call %s", key)
		return res.InteractionID
	}
	ids := map[string]string{"ASSERTED": call("call-1", domain.IdentityAsserted), "CLAIMED": call("call-2", domain.IdentityClaimed)}
	ids["UNCHECKED"] = e.inbound("chat-1", "+8613800138001", "Wang", "hello").InteractionID
	e.settle()
	for want, id := range ids {
		var got struct {
			Interaction struct{ IdentityCheck string }
		}
		e.post(agent, `query($id: ID!) { interaction(id: $id) { identityCheck } }`, map[string]any{"id": id}).ok(t).decode(t, &got)
		if got.Interaction.IdentityCheck != want {
			t.Errorf("interaction %s: identityCheck %s, want %s", id, got.Interaction.IdentityCheck, want)
		}
	}
}

// TestInteractionEmailIdentityCheck: an email interaction carries its
// sender's DMARC verdict, and the weakest of its messages': an unverified
// mail joining a verified thread makes the thread UNVERIFIED.
func TestInteractionEmailIdentityCheck(t *testing.T) {
	e := newEnv(t)
	agent := e.token(auth.RoleAgent, "a-1")
	mail := func(key, thread string, check domain.IdentityCheck) string {
		res, err := e.cmds.ReceiveInbound(e.ctx, commands.InboundMessage{
			Channel: domain.ChannelEmail, From: domain.Identity{Kind: domain.IdentityEmail, Value: "alice@shop.example"},
			ProviderMessageID: key, ConversationKey: thread, Text: "hello " + key, IdentityCheck: check,
			Authentication: "dkim=none spf=none dmarc=" + strings.ToLower(string(check)), SentAt: time.Now().UTC(),
		}, commands.Meta{})
		must(t, err, "mail %s", key)
		return res.InteractionID
	}
	verified := mail("m-1", "thread-1", domain.IdentityVerified)
	weakened := mail("m-2", "thread-2", domain.IdentityVerified)
	if again := mail("m-3", "thread-2", domain.IdentityUnverified); again != weakened {
		t.Fatalf("the unverified reply started %s, not joined thread %s", again, weakened)
	}
	mail("m-4", "thread-2", domain.IdentityVerified) // a verified mail does not lift it back
	forged := mail("m-5", "thread-1", domain.IdentityFailed)
	if forged == verified {
		t.Fatal("a forged mail joined the verified thread")
	}
	e.settle()
	for id, want := range map[string]string{verified: "VERIFIED", weakened: "UNVERIFIED", forged: "FAILED"} {
		var got struct {
			Interaction struct {
				IdentityCheck string
				Customer      struct{ DisplayName string }
			}
		}
		e.post(agent, `query($id: ID!) { interaction(id: $id) { identityCheck customer { displayName } } }`, map[string]any{"id": id}).ok(t).decode(t, &got)
		if got.Interaction.IdentityCheck != want {
			t.Errorf("interaction %s: identityCheck %s, want %s", id, got.Interaction.IdentityCheck, want)
		}
		if name := got.Interaction.Customer.DisplayName; (want == "FAILED") != strings.HasPrefix(name, "Unverified: ") {
			t.Errorf("interaction %s (%s) is on customer %q", id, want, name)
		}
	}
}
