// Package ledgergen writes the reference ledgers of testdata/ledgers: a
// small contact-centre day driven through the real command layer
// (commands.Handler), touching every event type the domain defines, and
// the JSONL form they are committed in. The replay tests
// (projections/oldledgers_test.go, analytics/embedded/oldledgers_test.go)
// import each committed ledger into a fresh store and check that today's
// code still verifies it and folds it into the same read models and fact
// tables: a ledger written once with one generation of event shapes is the
// proof that later shapes still upcast from it (docs/schema-evolution.md).
package ledgergen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// T0 is when the generated day starts.
var T0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// gen drives a handler whose clock it moves forward by hand, so the
// decisions are the same on every run; the first error stops it.
type gen struct {
	ctx   context.Context
	store eventstore.Store
	h     *commands.Handler
	now   time.Time
	err   error
	seq   int
	// chatID is the web chat's interaction, li the caller's customer id.
	chatID, li string
}

// Generate records the reference day into store, an empty ledger.
func Generate(ctx context.Context, store eventstore.Store) error {
	g := &gen{ctx: ctx, store: store, now: T0}
	g.h = commands.NewHandler(store,
		commands.WithClock(func() time.Time { return g.now }),
		commands.WithInteractionLimits(domain.InteractionLimits{MaxMessages: 4}),
		commands.WithLogger(slog.New(slog.DiscardHandler)))
	for _, step := range []func(){g.agents, g.knowledge, g.chat, g.call, g.abandoned, g.ticket, g.customers, g.records, g.erasure} {
		step()
		if g.err != nil {
			return g.err
		}
	}
	return nil
}

// tick moves the clock by d.
func (g *gen) tick(d time.Duration) { g.now = g.now.Add(d) }

// do runs one command unless an earlier one failed, and ticks a second.
func (g *gen) do(what string, f func() error) {
	if g.err != nil {
		return
	}
	if err := f(); err != nil {
		g.err = fmt.Errorf("ledgergen: %s: %w", what, err)
	}
	g.tick(time.Second)
}

// meta is the metadata of one request by actor, with an idempotency key
// so event ids are derived, not random.
func (g *gen) meta(actor string) commands.Meta {
	g.seq++
	return commands.Meta{Actor: actor, CorrelationID: fmt.Sprintf("corr-%03d", g.seq), IdempotencyKey: fmt.Sprintf("gen-%03d", g.seq)}
}

// ignore and ignore2 keep a command's error and drop its results.
func ignore[T any](_ T, err error) error { return err }

func ignore2[T, U any](_ T, _ U, err error) error { return err }

const (
	ana, bo    = "agent-ana", "agent-bo"
	supervisor = "agent:sup-mei"
)

var (
	liPhone  = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}
	liEmail  = domain.Identity{Kind: domain.IdentityEmail, Value: "li.lei@example.com"}
	hanPhone = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900139000"}
	hanChat  = domain.Identity{Kind: domain.IdentityAccount, Value: "han-meimei"}
	zhaoMail = domain.Identity{Kind: domain.IdentityEmail, Value: "zhao@example.com"}
)

func (g *gen) agents() {
	for _, a := range []domain.RegisterAgent{
		{AgentID: ana, Name: "Ana", Team: "billing", Skills: map[string]int{"billing": 3, "zh": 2}},
		{AgentID: bo, Name: "Bo", Team: "support", Skills: map[string]int{"support": 2}},
	} {
		g.do("register "+a.AgentID, func() error { return ignore(g.h.Agent(g.ctx, a.AgentID, a, g.meta("admin:root"))) })
		g.do("available "+a.AgentID, func() error {
			return ignore(g.h.Agent(g.ctx, a.AgentID, domain.ChangePresence{Presence: domain.PresenceAvailable}, g.meta("agent:"+a.AgentID)))
		})
	}
	g.do("skills", func() error {
		return ignore(g.h.Agent(g.ctx, bo, domain.ChangeAgentSkills{Skills: map[string]int{"support": 3, "billing": 1}}, g.meta("admin:root")))
	})
}

// template is the reply template the chat's answer is written from.
const template, article = "kb-refund-reply", "kb-refund-policy"

func (g *gen) knowledge() {
	g.do("draft template", func() error {
		return ignore2(g.h.Knowledge(g.ctx, template, domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, By: "sup-mei",
			Content: domain.KnowledgeContent{Title: "Refund on its way", Body: "Hello {{customer.displayName}}, your refund is on its way.", Language: "en", Category: "billing"}}, g.meta(supervisor)))
	})
	g.do("publish template", func() error {
		return ignore2(g.h.Knowledge(g.ctx, template, domain.PublishKnowledge{By: "sup-mei"}, g.meta(supervisor)))
	})
	g.do("draft article", func() error {
		return ignore2(g.h.Knowledge(g.ctx, article, domain.DraftKnowledge{Kind: domain.KnowledgeArticle, By: "sup-mei",
			Content: domain.KnowledgeContent{Title: "退款政策 Refund policy", Body: "Refunds take **5** working days.", Language: "zh", Tags: []string{"refund"}}}, g.meta(supervisor)))
	})
	g.do("publish article", func() error {
		return ignore2(g.h.Knowledge(g.ctx, article, domain.PublishKnowledge{By: "sup-mei"}, g.meta(supervisor)))
	})
	g.do("retire article", func() error {
		return ignore2(g.h.Knowledge(g.ctx, article, domain.RetireKnowledge{Reason: "superseded", By: "sup-mei"}, g.meta(supervisor)))
	})
}

func (g *gen) chat() {
	g.do("chat message", func() error {
		res, err := g.h.ReceiveInbound(g.ctx, commands.InboundMessage{Channel: domain.ChannelWebchat, From: hanChat, DisplayName: "韩梅梅",
			ProviderMessageID: "chat-1", ConversationKey: "session-1", Text: "Where is my refund?", SentAt: g.now, Queue: "billing"}, g.meta("customer:han"))
		g.chatID = res.InteractionID
		return err
	})
	g.do("sla start", func() error {
		return ignore2(g.h.Sla(g.ctx, g.chatID, g.meta("system:sla"), domain.StartSla{InteractionID: g.chatID, Metric: domain.SlaFirstResponse, Policy: "chat", Target: 2 * time.Minute, WarnShare: 0.5}))
	})
	g.tick(90 * time.Second)
	g.do("sla warning", func() error { return ignore2(g.h.Sla(g.ctx, g.chatID, g.meta("system:sla"), domain.CheckSla{})) })
	g.tick(time.Minute)
	g.do("sla breach", func() error { return ignore2(g.h.Sla(g.ctx, g.chatID, g.meta("system:sla"), domain.CheckSla{})) })
	g.do("assign chat", func() error {
		return ignore(g.h.AssignRouted(g.ctx, commands.RoutedAssignment{InteractionID: g.chatID, AgentID: ana}))
	})
	var sentID string // the MessageSent event's id, which delivery attempts name
	g.do("reply from template", func() error {
		sent, err := g.h.Interaction(g.ctx, g.chatID, g.meta("agent:"+ana), domain.SendMessage{MessageID: "reply-1", AgentID: ana,
			Text: "Hello 韩梅梅, your refund is on its way.", Template: &domain.TemplateUse{TemplateID: template, Version: 1}, TemplateCategory: "billing"})
		if err != nil {
			return err
		}
		page, err := g.store.ReadStream(g.ctx, sent.Stream, 0, 100)
		for _, e := range page {
			if e.Type == "MessageSent" {
				sentID = e.ID.String()
			}
		}
		return err
	})
	g.do("sla fulfilled", func() error {
		return ignore2(g.h.Sla(g.ctx, g.chatID, g.meta("system:sla"), domain.FulfilSla{Metric: domain.SlaFirstResponse}))
	})
	g.do("delivery failed", func() error {
		return ignore2(g.h.RecordDeliveryAttempt(g.ctx, g.chatID, domain.RecordDeliveryAttempt{SourceEventID: sentID, MessageID: "reply-1",
			Channel: domain.ChannelWebchat, Attempt: 1, Err: "visitor offline"}, g.meta("system:outbound")))
	})
	g.do("delivered", func() error {
		return ignore2(g.h.RecordDeliveryAttempt(g.ctx, g.chatID, domain.RecordDeliveryAttempt{SourceEventID: sentID, MessageID: "reply-1",
			Channel: domain.ChannelWebchat, Attempt: 2, ProviderMessageID: "wc-77"}, g.meta("system:outbound")))
	})
	for i := 2; i <= 5; i++ { // the fifth is over the cap of four
		g.do(fmt.Sprintf("chat message %d", i), func() error {
			_, err := g.h.ReceiveInbound(g.ctx, commands.InboundMessage{Channel: domain.ChannelWebchat, From: hanChat,
				ProviderMessageID: fmt.Sprintf("chat-%d", i), ConversationKey: "session-1", Text: fmt.Sprintf("Message %d", i), SentAt: g.now}, g.meta("customer:han"))
			var limit *domain.InteractionLimitError
			if i == 5 && errors.As(err, &limit) {
				_, err = g.h.Interaction(g.ctx, g.chatID, g.meta("system:limits"), domain.ReportInteractionLimit{Limit: limit.Limit, Max: limit.Max})
			}
			return err
		})
	}
	g.do("transfer chat", func() error {
		return ignore(g.h.Interaction(g.ctx, g.chatID, g.meta("agent:"+ana), domain.TransferInteraction{ToAgentID: bo, Reason: "second opinion"}))
	})
	g.do("close chat", func() error {
		return ignore(g.h.Interaction(g.ctx, g.chatID, g.meta("agent:"+bo), domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: bo,
			Summary: "Refund confirmed", DraftSummary: "Refund confirmed"}))
	})
	g.do("release work", func() error {
		return ignore(g.h.Agent(g.ctx, ana, domain.ReleaseWork{InteractionID: g.chatID, Reason: "closed"}, g.meta("system:routing")))
	})
	g.do("csat", func() error {
		return ignore(g.h.Interaction(g.ctx, g.chatID, g.meta("customer:han"), domain.RecordCsat{Score: 5, Comment: "快 fast"}))
	})
	g.do("qa score", func() error {
		return ignore(g.h.RecordQaScore(g.ctx, g.chatID, domain.RecordQaScore{Scored: domain.QaScored{InteractionID: g.chatID, ScorecardID: "default",
			AgentID: bo, Team: "support", Channel: domain.ChannelWebchat, Queue: "billing", ClosedAt: g.now.Add(-2 * time.Second), Score: 50,
			Results: []domain.QaCriterionResult{
				{CriterionID: "greet", Kind: domain.QaGreeting, Weight: 1, Result: domain.QaPass},
				{CriterionID: "tpl", Kind: domain.QaTemplateUsed, Weight: 1, Result: domain.QaFail, Evidence: []domain.QaEvidence{{Note: "missing"}}},
			}, At: g.now}}, g.meta("system:qa")))
	})
	g.do("qa override", func() error {
		return ignore(g.h.OverrideQaCriterion(g.ctx, g.chatID, domain.OverrideQaCriterion{ScorecardID: "default", CriterionID: "tpl",
			Result: domain.QaPass, Reason: "template used", SupervisorID: "sup-mei"}, g.meta(supervisor)))
	})
}

func (g *gen) call() {
	const call = "call-1"
	g.do("resolve caller", func() error {
		r, err := g.h.ResolveCustomer(g.ctx, liPhone, "Li Lei", g.meta("system:sip"))
		g.li = r.CustomerID
		return err
	})
	g.do("start call", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:sip"),
			domain.StartInteraction{InteractionID: call, CustomerID: g.li, Channel: domain.ChannelPhone, Identity: liPhone, Subject: "call"}))
	})
	g.do("queue call", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:sip"), domain.QueueInteraction{Queue: "billing", Priority: domain.PriorityUrgent, Skills: []string{"zh"}}))
	})
	g.do("assign call", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:routing"), domain.AssignInteraction{AgentID: ana}))
	})
	g.do("offer", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:sip"), domain.OfferCall{AgentID: ana}))
	})
	g.do("ring", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:sip"), domain.RingCall{AgentID: ana}))
	})
	g.tick(4 * time.Second)
	g.do("answer", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:sip"), domain.AnswerCall{AgentID: ana}))
	})
	g.tick(3 * time.Minute)
	g.do("hang up", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:sip"), domain.EndCall{EndedBy: "CUSTOMER"}))
	})
	g.tick(2 * time.Minute)
	g.do("wrap-up expires", func() error {
		return ignore(g.h.Interaction(g.ctx, call, g.meta("system:wrapup"), domain.ExpireWrapUp{Timeout: time.Minute}))
	})
}

func (g *gen) abandoned() {
	g.do("sms", func() error {
		_, err := g.h.ReceiveInbound(g.ctx, commands.InboundMessage{Channel: domain.ChannelSMS, From: hanPhone, DisplayName: "Han",
			ProviderMessageID: "sms-1", Text: "hello?", SentAt: g.now}, g.meta("customer:sms"))
		return err
	})
	g.do("abandon", func() error {
		res, err := g.h.ReceiveInbound(g.ctx, commands.InboundMessage{Channel: domain.ChannelSMS, From: hanPhone,
			ProviderMessageID: "sms-1", Text: "hello?", SentAt: g.now}, g.meta("customer:sms")) // a redelivery: names the interaction
		if err != nil {
			return err
		}
		return ignore(g.h.Interaction(g.ctx, res.InteractionID, g.meta("system:routing"), domain.AbandonInteraction{Reason: "no answer"}))
	})
}

func (g *gen) ticket() {
	var ticketID string
	g.do("open ticket", func() error {
		_, t, err := g.h.OpenTicketFromInteraction(g.ctx, g.chatID, domain.OpenTicket{Category: domain.CategoryComplaint, Priority: domain.PriorityNormal,
			BusinessDomain: "billing", Subject: "Refund late", Description: "Refund promised last week", OpenedBy: bo}, g.meta("agent:"+bo))
		ticketID = t.ID
		return err
	})
	t := func(what string, cmd domain.TicketCommand) {
		g.do(what, func() error { return ignore(g.h.Ticket(g.ctx, ticketID, cmd, g.meta("agent:"+bo))) })
	}
	t("assign ticket", domain.AssignTicket{AgentID: bo})
	g.do("ticket sla", func() error {
		return ignore2(g.h.Sla(g.ctx, ticketID, g.meta("system:sla"), domain.StartSla{TicketID: ticketID, Metric: domain.SlaResolution, Policy: "complaint", Target: 24 * time.Hour}))
	})
	t("in progress", domain.ChangeTicketStatus{To: domain.TicketStatusInProgress})
	t("priority", domain.ChangeTicketPriority{Priority: domain.PriorityUrgent, Reason: "second contact"})
	t("note", domain.AddTicketNote{AuthorID: bo, Text: "Asked finance <finance@example.com>"})
	t("collaborator", domain.AddCollaborator{Collaborator: domain.Collaborator{Department: "finance", DueAt: T0.Add(48 * time.Hour)}})
	t("link call", domain.LinkTicketInteraction{InteractionID: "call-1"})
	t("pending customer", domain.ChangeTicketStatus{To: domain.TicketStatusPendingCustomer, Reason: "bank details"})
	g.do("pause sla", func() error { return ignore2(g.h.Sla(g.ctx, ticketID, g.meta("system:sla"), domain.PauseSla{})) })
	g.tick(time.Hour)
	t("back in progress", domain.ChangeTicketStatus{To: domain.TicketStatusInProgress, Reason: "details received"})
	g.do("resume sla", func() error { return ignore2(g.h.Sla(g.ctx, ticketID, g.meta("system:sla"), domain.ResumeSla{})) })
	g.do("escalate", func() error {
		return ignore(g.h.EscalateTicket(g.ctx, ticketID, domain.EscalateTicket{Queue: "billing-l2", Reason: "customer upset"}, g.meta(supervisor)))
	})
	t("resolve", domain.ResolveTicket{Resolution: "Refunded", ResolvedBy: bo})
	t("reopen", domain.ReopenTicket{Reason: "not received"})
	t("resolve again", domain.ResolveTicket{Resolution: "Refunded again", ResolvedBy: bo})
	t("close", domain.CloseTicket{})
}

func (g *gen) customers() {
	li, zhao := g.li, ""
	g.do("register zhao", func() error {
		zhao = "cust-zhao"
		return ignore(g.h.UpdateCustomer(g.ctx, zhao, domain.RegisterCustomer{CustomerID: zhao, DisplayName: "Zhao", Tier: domain.TierSilver}, g.meta("admin:root")))
	})
	g.do("link email", func() error { return ignore(g.h.LinkIdentity(g.ctx, zhao, zhaoMail, g.meta("agent:"+ana))) })
	g.do("link li email", func() error { return ignore(g.h.LinkIdentity(g.ctx, li, liEmail, g.meta("agent:"+ana))) })
	g.do("unlink li email", func() error { return ignore(g.h.UnlinkIdentity(g.ctx, li, liEmail, "typo", g.meta("agent:"+ana))) })
	u := func(what, id string, cmd domain.CustomerCommand) {
		g.do(what, func() error { return ignore(g.h.UpdateCustomer(g.ctx, id, cmd, g.meta("agent:"+ana))) })
	}
	u("rename", li, domain.RenameCustomer{DisplayName: "李雷 Li Lei"})
	u("tier", li, domain.ChangeTier{Tier: domain.TierGold})
	u("tag", li, domain.TagCustomer{Tag: "refund"})
	u("untag", li, domain.UntagCustomer{Tag: "refund"})
	g.do("merge", func() error { return ignore(g.h.MergeCustomers(g.ctx, zhao, li, "same person", g.meta(supervisor))) })
	g.do("undo merge", func() error { return ignore(g.h.UndoMerge(g.ctx, zhao, "not the same", g.meta(supervisor))) })
	g.do("subscribe", func() error {
		return ignore(g.h.ChangeSubscription(g.ctx, domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: domain.Identity{Kind: domain.IdentityWeChat, Value: "wx-li"}, CustomerID: li, Subscribed: true}, g.meta("system:wechat")))
	})
	g.do("unsubscribe", func() error {
		return ignore(g.h.ChangeSubscription(g.ctx, domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: domain.Identity{Kind: domain.IdentityWeChat, Value: "wx-li"}, CustomerID: li, Subscribed: false}, g.meta("system:wechat")))
	})
	g.do("business fact", func() error {
		return ignore(g.h.RecordBusinessFact(g.ctx, liPhone, domain.RecordBusinessFact{Kind: domain.FactPlan, Source: "crm", ExternalID: "plan-9",
			Version: 1, Tier: domain.TierGold, Attributes: map[string]string{"name": "Gold 5G"}, EffectiveAt: T0}, g.meta("system:crm")))
	})
}

// records appends what no command writes: the data access log, which the
// GraphQL layer records straight to the store (graphql/access_ledger.go).
func (g *gen) records() {
	g.do("access log", func() error {
		return g.appendRaw(domain.AccessStream(g.now), "system:access-log", domain.CustomerDataAccessed{Accesses: []domain.DataAccess{{
			Subject: ana, Role: "agent", CustomerIDs: []string{"cust-zhao"}, Fields: []string{"displayName"}, Operation: "Customer360", At: g.now}}})
	})
}

// erasure records an erasure. Only an encrypted ledger erases through
// the command layer (commands.EraseCustomer destroys data keys), and a
// reference ledger of sealed bytes could only be read with its keys, so
// the two events are appended as that flow appends them.
func (g *gen) erasure() {
	g.do("erasure started", func() error {
		return g.appendRaw(domain.CustomerStream("cust-zhao"), "agent:dpo", domain.CustomerErasureStarted{CustomerID: "cust-zhao", At: g.now})
	})
	g.do("erased", func() error {
		return g.appendRaw(domain.CustomerStream("cust-zhao"), "agent:dpo", domain.CustomerErased{CustomerID: "cust-zhao", Identities: 1,
			Reason: "request 7", ErasedBy: "dpo", At: g.now})
	})
}

func (g *gen) appendRaw(stream, actor string, e domain.Event) error {
	typ, schema, data, err := domain.EncodeEvent(e)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(eventstore.Metadata{Actor: actor})
	if err != nil {
		return err
	}
	g.seq++
	id := uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "ledgergen/%d", g.seq))
	_, err = g.store.Append(g.ctx, stream, eventstore.Any, []eventstore.EventData{{ID: id, Type: typ, Schema: schema, Data: data, Metadata: meta}})
	return err
}
