package analyticstest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// TemplateDay is the day of the template contacts, [TemplateDay,
// TemplateDay + 24h): inside Period, after the generated interactions and
// the edge contacts, so that it holds the template contacts alone.
var TemplateDay = time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC)

// The reply templates of the template contacts: the delivery template
// was re-categorised in its second version ("delivery", then
// "logistics"), so a use's category is its version's.
const (
	DeliveryTemplate = "tpl-delivery-delay-en"
	RefundTemplate   = "tpl-refund-en"
)

// TemplateReply is one agent reply of a template contact: typed (no
// Template) or sent from a version of a reply template.
type TemplateReply struct {
	Template string
	Version  int
}

// TemplateContact is one contact of the template-usage ledger.
type TemplateContact struct {
	ID       string
	Customer string
	Agent    string
	Channel  domain.Channel
	At       time.Time
	Replies  []TemplateReply
	// Ending is "closed" (with Disposition), "abandoned" (before any
	// reply) or "open".
	Ending      string
	Disposition domain.Disposition
	Csat        int
	// Draft and Summary: the drafted closing summary offered (if any)
	// and the one closed with.
	Draft, Summary string
}

// TemplateContacts are contacts whose template_usage and
// closing_summaries numbers are worked out by hand (see
// TemplateUsageCases): replies from two templates, one used twice in a
// contact and in two versions of different categories, a contact that
// used both templates, contacts typed by hand (the baseline), a call and
// an abandoned chat (in neither), a contact still open, repeats a few
// hours later, and closings with drafted summaries kept, edited and
// cleared.
func TemplateContacts() []TemplateContact {
	h := func(n int) time.Time { return TemplateDay.Add(time.Duration(n) * time.Hour) }
	delivery := func(v int) TemplateReply { return TemplateReply{Template: DeliveryTemplate, Version: v} }
	refund := TemplateReply{Template: RefundTemplate, Version: 1}
	typed := TemplateReply{}
	const draft = "Parcel late; apologised and gave the new date."
	out := []TemplateContact{
		// 1: delivery v2 twice; resolved, rated 5, draft kept.
		{Customer: "tpl-a", Agent: "agent-01", Channel: domain.ChannelWebchat, At: h(1), Replies: []TemplateReply{delivery(2), typed, delivery(2)},
			Ending: "closed", Disposition: domain.DispositionResolved, Csat: 5, Draft: draft, Summary: draft},
		// 2: delivery v1 and refund; rated 2; repeated by 5 three hours
		// later; draft cleared.
		{Customer: "tpl-b", Agent: "agent-02", Channel: domain.ChannelWeChat, At: h(2), Replies: []TemplateReply{delivery(1), refund},
			Ending: "closed", Disposition: domain.DispositionFollowUp, Csat: 2, Draft: draft},
		// 3: typed; rated 4; draft edited.
		{Customer: "tpl-c", Agent: "agent-01", Channel: domain.ChannelWebchat, At: h(3), Replies: []TemplateReply{typed},
			Ending: "closed", Disposition: domain.DispositionResolved, Csat: 4, Draft: draft, Summary: draft + " Voucher sent."},
		// 4: typed; not rated; repeated by 6 six hours later.
		{Customer: "tpl-d", Agent: "agent-02", Channel: domain.ChannelWebchat, At: h(4), Replies: []TemplateReply{typed, typed},
			Ending: "closed", Disposition: domain.DispositionResolved},
		// 5: a call: no written reply.
		{Customer: "tpl-b", Agent: "agent-01", Channel: domain.ChannelPhone, At: h(5), Ending: "closed", Disposition: domain.DispositionResolved, Csat: 3},
		// 6: refund; rated 4; draft kept.
		{Customer: "tpl-d", Agent: "agent-01", Channel: domain.ChannelWebchat, At: h(10), Replies: []TemplateReply{refund},
			Ending: "closed", Disposition: domain.DispositionResolved, Csat: 4, Draft: draft, Summary: draft},
		// 7: left before any reply.
		{Customer: "tpl-e", Agent: "agent-01", Channel: domain.ChannelWebchat, At: h(11), Ending: "abandoned"},
		// 8: delivery v2, still open.
		{Customer: "tpl-f", Agent: "agent-02", Channel: domain.ChannelWebchat, At: h(12), Replies: []TemplateReply{delivery(2)}, Ending: "open"},
		// 9: refund; not rated.
		{Customer: "tpl-g", Agent: "agent-01", Channel: domain.ChannelWebchat, At: h(13), Replies: []TemplateReply{refund},
			Ending: "closed", Disposition: domain.DispositionResolved},
	}
	for i := range out {
		out[i].ID = fmt.Sprintf("0193a5b0-0000-7000-8000-0000000f%04d", i+1)
	}
	return out
}

// TemplateUsageCase is a request over [TemplateDay, TemplateDay + 24h)
// and the rows it must give for the template contacts, as Canonical
// renders them (without the header).
type TemplateUsageCase struct {
	Label   string
	Request analytics.Request
	Rows    []string
}

// TemplateUsageCases are template_usage's and closing_summaries' numbers
// for the template contacts, worked out by hand.
func TemplateUsageCases() []TemplateUsageCase {
	req := func(name string, groups ...string) analytics.Request {
		return analytics.Request{Name: name, From: TemplateDay, To: TemplateDay.Add(24 * time.Hour), GroupBy: groups}
	}
	window := req("template_usage", "template")
	window.Options = map[string]string{"days": "0.1"}
	agent := req("template_usage", "template")
	agent.Filter.Agents = []string{"agent-02"}
	return []TemplateUsageCase{
		// Baseline: contacts 3 and 4 (4 repeated, 3 rated 4). Delivery:
		// contacts 1 (2 uses), 2 and 8 (open: not handled); 2
		// repeated; rated 5 and 2. Refund: contacts 2, 6 and 9; 2
		// repeated; rated 2 and 4. The call and the abandoned chat
		// count nowhere.
		{"by template", req("template_usage", "template"), []string{
			" | 0 | 2 | 2 | 1 | 0.5 | 1 | 4 | 1",
			"tpl-delivery-delay-en | 4 | 3 | 2 | 1 | 0.5 | 2 | 3.5 | 0.5",
			"tpl-refund-en | 3 | 3 | 3 | 1 | 0.6666666666666666 | 2 | 3 | 0.5",
		}},
		// The category is the version's.
		{"by template and category", req("template_usage", "template", "category"), []string{
			" |  | 0 | 2 | 2 | 1 | 0.5 | 1 | 4 | 1",
			"tpl-delivery-delay-en | delivery | 1 | 1 | 1 | 1 | 0 | 1 | 2 | 0",
			"tpl-delivery-delay-en | logistics | 3 | 2 | 1 | 0 | 1 | 1 | 5 | 1",
			"tpl-refund-en | refund | 3 | 3 | 3 | 1 | 0.6666666666666666 | 2 | 3 | 0.5",
		}},
		// Rows are always per template: grouped by channel alone,
		// template comes first.
		{"by channel", req("template_usage", "channel"), []string{
			" | WEBCHAT | 0 | 2 | 2 | 1 | 0.5 | 1 | 4 | 1",
			"tpl-delivery-delay-en | WEBCHAT | 3 | 2 | 1 | 0 | 1 | 1 | 5 | 1",
			"tpl-delivery-delay-en | WECHAT | 1 | 1 | 1 | 1 | 0 | 1 | 2 | 0",
			"tpl-refund-en | WEBCHAT | 2 | 2 | 2 | 0 | 1 | 1 | 4 | 1",
			"tpl-refund-en | WECHAT | 1 | 1 | 1 | 1 | 0 | 1 | 2 | 0",
		}},
		// A window of 0.1 day (2.4 h): the repeats, 3 and 6 hours
		// later, no longer count.
		{"with a window of 0.1 day", window, []string{
			" | 0 | 2 | 2 | 0 | 1 | 1 | 4 | 1",
			"tpl-delivery-delay-en | 4 | 3 | 2 | 0 | 1 | 2 | 3.5 | 0.5",
			"tpl-refund-en | 3 | 3 | 3 | 0 | 1 | 2 | 3 | 0.5",
		}},
		// agent-02's contacts: 2, 4 and 8.
		{"for agent-02", agent, []string{
			" | 0 | 1 | 1 | 1 | 0 | 0 | 0 | 0",
			"tpl-delivery-delay-en | 2 | 2 | 1 | 1 | 0 | 1 | 2 | 0",
			"tpl-refund-en | 1 | 1 | 1 | 1 | 0 | 1 | 2 | 0",
		}},
		// Closed: 1, 3, 5, 6, 9 (agent-01) and 2, 4 (agent-02); drafts
		// offered on 1, 3, 6 and 2, kept on 1 and 6.
		{"closing summaries by agent", req("closing_summaries", "agent"), []string{
			"agent-01 | 5 | 3 | 0.6 | 2 | 0.6666666666666666",
			"agent-02 | 2 | 1 | 0.5 | 0 | 0",
		}},
	}
}

// AssertTemplateUsageAnswers runs TemplateUsageCases on rep and fails the
// test for each table that differs.
func AssertTemplateUsageAnswers(t testing.TB, rep analytics.Reporter) {
	t.Helper()
	for _, tc := range TemplateUsageCases() {
		got, err := rep.Report(t.Context(), tc.Request)
		if err != nil {
			t.Fatalf("%s: %v", tc.Label, err)
		}
		lines := strings.Split(strings.TrimSuffix(Canonical(got), "\n"), "\n")[1:]
		if want := strings.Join(tc.Rows, "\n"); strings.Join(lines, "\n") != want {
			t.Errorf("%s %s:\n%s\nwant:\n%s", tc.Request.Name, tc.Label, strings.Join(lines, "\n"), want)
		}
	}
}

// AppendTemplateContacts publishes the two reply templates and appends
// the template contacts to store, each at its own time.
func AppendTemplateContacts(ctx context.Context, store eventstore.Store) error {
	h := commands.NewHandler(store)
	sup := commands.Meta{Actor: "supervisor:sup-1"}
	at := TemplateDay
	for _, v := range []struct {
		id       string
		category string
	}{{DeliveryTemplate, "delivery"}, {DeliveryTemplate, "logistics"}, {RefundTemplate, "refund"}} {
		content := domain.KnowledgeContent{Title: "Reply " + v.id + " " + v.category, Body: "Sorry for the trouble with your " + v.category + ".", Language: "en", Category: v.category}
		if _, _, err := h.At(at).Knowledge(ctx, v.id, domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: content}, sup); err != nil {
			return err
		}
		if _, _, err := h.At(at).Knowledge(ctx, v.id, domain.PublishKnowledge{}, sup); err != nil {
			return err
		}
	}
	for _, c := range TemplateContacts() {
		if err := appendTemplateContact(ctx, h, c); err != nil {
			return fmt.Errorf("template contact %s of %s: %w", c.ID, c.Customer, err)
		}
	}
	return nil
}

// templateCategory is the category of each version the contacts use.
var templateCategory = map[TemplateReply]string{
	{DeliveryTemplate, 1}: "delivery", {DeliveryTemplate, 2}: "logistics", {RefundTemplate, 1}: "refund",
}

func appendTemplateContact(ctx context.Context, h *commands.Handler, c TemplateContact) error {
	meta := commands.Meta{Actor: "agent:" + c.Agent, Channel: c.Channel}
	step, err := startContact(ctx, h, meta, c.ID, c.Customer, c.Channel, c.At)
	if err != nil {
		return err
	}
	if c.Ending == "abandoned" {
		return step(domain.AbandonInteraction{Reason: "left"})
	}
	if err := step(domain.AssignInteraction{AgentID: c.Agent}); err != nil {
		return err
	}
	if c.Channel == domain.ChannelPhone {
		if err := step(domain.AnswerCall{AgentID: c.Agent}); err != nil {
			return err
		}
		if err := step(domain.EndCall{EndedBy: "CUSTOMER"}); err != nil {
			return err
		}
	}
	for i, r := range c.Replies {
		reply := domain.SendMessage{MessageID: fmt.Sprintf("%s-r%d", c.ID, i), AgentID: c.Agent, Text: "Sorry for the trouble."}
		if r.Template != "" {
			reply.Template, reply.TemplateCategory = &domain.TemplateUse{TemplateID: r.Template, Version: r.Version}, templateCategory[r]
		}
		if err := step(reply); err != nil {
			return err
		}
	}
	if c.Ending == "open" {
		return nil
	}
	if err := step(domain.CloseInteraction{Disposition: c.Disposition, AgentID: c.Agent, Summary: c.Summary, DraftSummary: c.Draft}); err != nil {
		return err
	}
	if c.Csat > 0 {
		return step(domain.RecordCsat{Score: c.Csat})
	}
	return nil
}
