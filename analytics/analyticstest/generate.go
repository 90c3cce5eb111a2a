// Package analyticstest generates ledgers for the analytics tests: realistic
// contact-centre traffic appended through the command layer (customers
// who come back on other channels, calls and chats, abandoned contacts,
// tickets that are resolved, reopened and closed, satisfaction scores, QA
// scores and supervisor overrides, replies sent from published reply
// templates, closings with drafted summaries kept or edited, and the
// customers' plans and orders from the CRM), on a
// simulated clock, so the same seed always gives the same ledger contents
// and the same report numbers.
package analyticstest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// Config shapes the generated traffic.
type Config struct {
	Customers    int
	Interactions int
	Seed         uint64
	// Start is the simulated time of the first interaction (default
	// 2026-03-01 00:00 UTC); interactions are spread over Span (default
	// 14 days).
	Start time.Time
	Span  time.Duration
}

// Generate appends the traffic to store.
func Generate(ctx context.Context, store eventstore.Store, cfg Config) error {
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Span == 0 {
		cfg.Span = 14 * 24 * time.Hour
	}
	g := &generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 7)), clock: cfg.Start}
	g.h = commands.NewHandler(store, commands.WithClock(func() time.Time { return g.clock }))
	if err := g.registerAgents(ctx); err != nil {
		return err
	}
	if err := g.publishTemplates(ctx); err != nil {
		return err
	}
	for i := range cfg.Customers {
		// Identities are numbered from the seed, so ledgers generated with
		// different seeds into one store have different customers.
		g.customers = append(g.customers, &customer{index: int(cfg.Seed%1000)*10000 + i, preferred: channels[g.rng.IntN(len(channels))], linked: map[domain.Channel]bool{}})
	}
	for i := range cfg.Interactions {
		g.clock = cfg.Start.Add(cfg.Span * time.Duration(i) / time.Duration(cfg.Interactions))
		if err := g.interaction(ctx, i); err != nil {
			return fmt.Errorf("generate interaction %d: %w", i, err)
		}
	}
	return g.businessFacts(ctx)
}

// businessFacts records, after the traffic, each contacted customer's
// plan (some upgraded: two versions) and a few orders, as the CRM would,
// with a random stream of its own so the traffic stays what it was.
func (g *generator) businessFacts(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(g.cfg.Seed, 8))
	tiers := []domain.Tier{domain.TierStandard, domain.TierStandard, domain.TierSilver, domain.TierGold, domain.TierVIP}
	for _, c := range g.customers {
		var who domain.Identity
		for _, ch := range channels {
			if c.linked[ch] {
				who = identity(c, ch)
				break
			}
		}
		if who.Value == "" {
			continue // never contacted us
		}
		g.clock = g.cfg.Start.Add(time.Duration(rng.Int64N(int64(g.cfg.Span))))
		plan := domain.RecordBusinessFact{Kind: domain.FactPlan, Source: "crm", ExternalID: fmt.Sprintf("PL-%d", c.index), Version: 1,
			Tier: tiers[rng.IntN(len(tiers))], Attributes: map[string]string{"planName": "Plan of customer " + strconv.Itoa(c.index)}}
		facts := []domain.RecordBusinessFact{plan}
		if rng.IntN(4) == 0 {
			plan.Version, plan.Tier = 2, domain.TierVIP
			facts = append(facts, plan)
		}
		for i := range rng.IntN(3) {
			facts = append(facts, domain.RecordBusinessFact{Kind: domain.FactOrder, Source: "shop", ExternalID: fmt.Sprintf("SO-%d-%d", c.index, i),
				Version: 1, Attributes: map[string]string{"total": strconv.Itoa(10 + rng.IntN(500))}})
		}
		for _, f := range facts {
			if _, err := g.h.RecordBusinessFact(ctx, who, f, commands.Meta{Actor: "integration:" + f.Source}); err != nil {
				return fmt.Errorf("generate facts of customer %d: %w", c.index, err)
			}
		}
	}
	return nil
}

var (
	channels = []domain.Channel{domain.ChannelPhone, domain.ChannelPhone, domain.ChannelWeChat, domain.ChannelWebchat, domain.ChannelEmail, domain.ChannelSMS, domain.ChannelApp}
	teams    = []string{"Tier 1", "Technical", "Billing"}
	queues   = []string{"general", "billing", "technical"}
	replies  = []string{"您好，感谢您的耐心等待，问题已经为您处理。", "Hello, thank you for contacting us. I have fixed it.", "Sorry, please wait."}
	// Templates are the published reply templates each reply above can
	// be sent from (the same text), with their categories: the last has
	// none.
	Templates = []struct{ ID, Category string }{
		{"tpl-resolved-zh", "resolution"}, {"tpl-fixed-en", "resolution"}, {"tpl-please-wait-en", ""},
	}
	openings = []string{"我的宽带一直断线，太失望了", "My bill is wrong, I am very disappointed.", "Hi, can you help me change my plan?"}
)

type customer struct {
	index     int
	id        string
	preferred domain.Channel
	linked    map[domain.Channel]bool
	contacts  int
}

type generator struct {
	cfg       Config
	rng       *rand.Rand
	clock     time.Time
	h         *commands.Handler
	customers []*customer
	agents    []string
}

func (g *generator) advance(lo, hi time.Duration) {
	g.clock = g.clock.Add(lo + time.Duration(g.rng.Int64N(int64(hi-lo))))
}

func (g *generator) registerAgents(ctx context.Context) error {
	for i := range 6 {
		id := fmt.Sprintf("agent-%02d", i+1)
		g.agents = append(g.agents, id)
		reg := domain.RegisterAgent{AgentID: id, Name: "Agent " + id, Team: teams[i%len(teams)], Skills: map[string]int{"general": 5}}
		if _, err := g.h.Agent(ctx, id, reg, commands.Meta{Actor: "system:test"}); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return err
		}
	}
	return nil
}

// publishTemplates drafts and publishes the reply templates; drafting
// and publishing the same content again (a second Generate into one
// store) appends nothing.
func (g *generator) publishTemplates(ctx context.Context) error {
	meta := commands.Meta{Actor: "supervisor:sup-1"}
	langs := []string{"zh", "en", "en"}
	for i, tpl := range Templates {
		content := domain.KnowledgeContent{Title: "Reply " + tpl.ID, Body: replies[i], Language: langs[i], Category: tpl.Category}
		if _, _, err := g.h.Knowledge(ctx, tpl.ID, domain.DraftKnowledge{Kind: domain.KnowledgeTemplate, Content: content}, meta); err != nil {
			return err
		}
		if _, _, err := g.h.Knowledge(ctx, tpl.ID, domain.PublishKnowledge{Version: 1}, meta); err != nil {
			return err
		}
	}
	return nil
}

// FromTemplate says whether reply r of the interaction generated in slot
// is sent from its reply template: none of every fourth interaction's
// replies (contacts answered without templates), else its first and
// third replies (the second typed by hand). No random draw decides it,
// so the rest of the ledger is what it was before templates.
func FromTemplate(slot, r int) bool { return slot%4 != 0 && r%2 == 0 }

// draftSummary is the closing summary the desktop drafts in slot, and the
// summary the agent closes with: none drafted in every third slot, kept
// as drafted in the next, edited in the one after.
func draftSummary(slot int) (draft, summary string) {
	switch slot % 3 {
	case 1:
		return "Customer asked about their bill; explained the charges.", "Customer asked about their bill; explained the charges."
	case 2:
		return "Customer asked about their bill; explained the charges.", "Customer asked about their bill; refund of the roaming charge promised."
	}
	return "", ""
}

func identity(c *customer, ch domain.Channel) domain.Identity {
	switch ch {
	case domain.ChannelPhone, domain.ChannelSMS:
		return domain.Identity{Kind: domain.IdentityPhone, Value: fmt.Sprintf("+86 139 %04d %04d", c.index/10000, c.index%10000)}
	case domain.ChannelEmail:
		return domain.Identity{Kind: domain.IdentityEmail, Value: fmt.Sprintf("c%d@example.com", c.index)}
	case domain.ChannelWeChat:
		return domain.Identity{Kind: domain.IdentityWeChat, Value: fmt.Sprintf("oTest%08d", c.index)}
	case domain.ChannelWebchat:
		return domain.Identity{Kind: domain.IdentityDevice, Value: fmt.Sprintf("dev-%08d", c.index)}
	default:
		return domain.Identity{Kind: domain.IdentityAccount, Value: fmt.Sprintf("acct-%08d", c.index)}
	}
}

// kindKey is the identity a channel knows a customer by; SMS shares the
// phone number with calls.
func kindKey(ch domain.Channel) domain.Channel {
	if ch == domain.ChannelSMS {
		return domain.ChannelPhone
	}
	return ch
}

func (g *generator) pick() *customer {
	n := len(g.customers)
	return g.customers[min(n-1, int(float64(n)*g.rng.Float64()*g.rng.Float64()))]
}

func (g *generator) interaction(ctx context.Context, slot int) error {
	c := g.pick()
	ch := c.preferred
	if c.contacts > 0 && g.rng.IntN(100) < 40 {
		ch = channels[g.rng.IntN(len(channels))]
	}
	if c.id != "" && !c.linked[kindKey(ch)] {
		if _, err := g.h.LinkIdentity(ctx, c.id, identity(c, ch), commands.Meta{Actor: "system:test"}); err != nil {
			return err
		}
	}
	conv := "g" + strconv.FormatUint(g.cfg.Seed, 10) + "-" + strconv.Itoa(slot)
	text := openings[g.rng.IntN(len(openings))]
	if ch == domain.ChannelPhone {
		text = ""
	}
	in, err := g.h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel: ch, From: identity(c, ch), ProviderMessageID: conv + "-m0", ConversationKey: conv,
		Text: text, Queue: queues[g.rng.IntN(len(queues))],
	}, commands.Meta{})
	if err != nil {
		return err
	}
	c.id, c.linked[kindKey(ch)] = in.CustomerID, true
	c.contacts++
	it := in.InteractionID
	g.advance(2*time.Second, 3*time.Minute)
	if g.rng.IntN(100) < 10 {
		_, err := g.h.Interaction(ctx, it, commands.Meta{Actor: "customer:" + c.id}, domain.AbandonInteraction{Reason: "left"})
		return err
	}
	agent := g.agents[g.rng.IntN(len(g.agents))]
	meta := commands.Meta{Actor: "agent:" + agent, Channel: ch}
	if _, err := g.h.Interaction(ctx, it, meta, domain.AssignInteraction{AgentID: agent}); err != nil {
		return err
	}
	if err := g.converse(ctx, slot, ch, conv, c, it, agent, meta); err != nil {
		return err
	}
	if g.rng.IntN(100) < 35 {
		if err := g.ticket(ctx, c, it, agent); err != nil {
			return err
		}
	}
	return g.close(ctx, slot, c, it, agent, ch)
}

func (g *generator) converse(ctx context.Context, slot int, ch domain.Channel, conv string, c *customer, it, agent string, meta commands.Meta) error {
	if ch == domain.ChannelPhone {
		g.advance(time.Second, 40*time.Second)
		if _, err := g.h.Interaction(ctx, it, meta, domain.AnswerCall{AgentID: agent}); err != nil {
			return err
		}
		g.advance(time.Minute, 10*time.Minute)
		_, err := g.h.Interaction(ctx, it, meta, domain.EndCall{EndedBy: "CUSTOMER"})
		return err
	}
	for r := range 1 + g.rng.IntN(3) {
		g.advance(10*time.Second, 5*time.Minute)
		text := g.rng.IntN(len(replies))
		reply := domain.SendMessage{MessageID: conv + "-r" + strconv.Itoa(r), AgentID: agent, Text: replies[text]}
		if FromTemplate(slot, r) {
			reply.Template, reply.TemplateCategory = &domain.TemplateUse{TemplateID: Templates[text].ID, Version: 1}, Templates[text].Category
		}
		if _, err := g.h.Interaction(ctx, it, meta, reply); err != nil {
			return err
		}
		g.advance(10*time.Second, 5*time.Minute)
		if _, err := g.h.ReceiveInbound(ctx, commands.InboundMessage{
			Channel: ch, From: identity(c, ch), ProviderMessageID: conv + "-m" + strconv.Itoa(r+1), ConversationKey: conv, Text: "谢谢 thanks",
		}, commands.Meta{}); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) ticket(ctx context.Context, c *customer, it, agent string) error {
	cats := domain.TicketCategories
	prio := domain.Priorities[g.rng.IntN(len(domain.Priorities))]
	meta := commands.Meta{Actor: "agent:" + agent}
	_, t, err := g.h.OpenTicket(ctx, domain.OpenTicket{
		CustomerID: c.id, Category: cats[g.rng.IntN(len(cats))], Priority: prio, BusinessDomain: "billing",
		Subject: "test ticket", InteractionID: it, OpenedBy: agent,
	}, meta)
	if err != nil {
		return err
	}
	steps := []domain.TicketCommand{domain.AssignTicket{AgentID: agent}, domain.ChangeTicketStatus{To: domain.TicketStatusInProgress}}
	if g.rng.IntN(100) < 20 {
		steps = append(steps, domain.ChangeTicketPriority{Priority: domain.PriorityCritical, Reason: "escalated"})
	}
	if g.rng.IntN(100) < 70 {
		steps = append(steps, domain.ResolveTicket{Resolution: "done", ResolvedBy: agent})
		if g.rng.IntN(100) < 25 {
			steps = append(steps, domain.ReopenTicket{Reason: "not fixed"}, domain.ResolveTicket{Resolution: "done again"})
		}
		if g.rng.IntN(100) < 50 {
			steps = append(steps, domain.CloseTicket{})
		}
	}
	for _, s := range steps {
		g.advance(10*time.Minute, 30*time.Hour)
		if _, err := g.h.Ticket(ctx, t.ID, s, meta); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) close(ctx context.Context, slot int, c *customer, it, agent string, ch domain.Channel) error {
	g.advance(10*time.Second, 2*time.Minute)
	if ch == domain.ChannelPhone {
		// A call closed more than a minute after it ended had its wrap-up
		// expired first (the router's default timeout), so the sink sees
		// WrapUpExpired events; no random draw, so the rest of the ledger
		// is as before.
		if _, err := g.h.Interaction(ctx, it, commands.Meta{Actor: "system:wrap-up"}, domain.ExpireWrapUp{Timeout: domain.DefaultWrapUpTimeout}); err != nil {
			return err
		}
	}
	disp := []domain.Disposition{domain.DispositionResolved, domain.DispositionResolved, domain.DispositionFollowUp, domain.DispositionEscalated}[g.rng.IntN(4)]
	draft, summary := draftSummary(slot)
	closing := domain.CloseInteraction{Disposition: disp, AgentID: agent, Summary: summary, DraftSummary: draft}
	if _, err := g.h.Interaction(ctx, it, commands.Meta{Actor: "agent:" + agent}, closing); err != nil {
		return err
	}
	closedAt := g.clock
	if g.rng.IntN(100) < 45 {
		g.advance(time.Minute, 20*time.Minute)
		if _, err := g.h.Interaction(ctx, it, commands.Meta{Actor: "customer:" + c.id}, domain.RecordCsat{Score: 1 + g.rng.IntN(5)}); err != nil {
			return err
		}
	}
	if g.rng.IntN(100) < 60 {
		return g.qa(ctx, it, agent, ch, disp, closedAt)
	}
	return nil
}

// qa records a QA score the way the QA policy does, and sometimes a
// supervisor's override of it.
func (g *generator) qa(ctx context.Context, it, agent string, ch domain.Channel, disp domain.Disposition, closedAt time.Time) error {
	res := func(ok bool) domain.QaResult {
		if ok {
			return domain.QaPass
		}
		return domain.QaFail
	}
	results := []domain.QaCriterionResult{
		{CriterionID: "greeting", Kind: domain.QaGreeting, Weight: 10, Result: res(g.rng.IntN(100) < 80)},
		{CriterionID: "resolution", Kind: domain.QaResolution, Weight: 30, Result: res(disp == domain.DispositionResolved)},
		{CriterionID: "first_response", Kind: domain.QaFirstResponse, Weight: 20, Result: res(g.rng.IntN(100) < 70)},
	}
	idx := 0
	for i, a := range g.agents {
		if a == agent {
			idx = i
		}
	}
	scored := domain.QaScored{InteractionID: it, ScorecardID: "default", AgentID: agent, Team: teams[idx%len(teams)], Channel: ch, Queue: "general", ClosedAt: closedAt, Results: results}
	meta := commands.Meta{Actor: "system:qa", IdempotencyKey: "qa|" + it}
	if _, err := g.h.RecordQaScore(ctx, it, domain.RecordQaScore{Scored: scored}, meta); err != nil {
		return err
	}
	if g.rng.IntN(100) < 15 {
		_, err := g.h.OverrideQaCriterion(ctx, it, domain.OverrideQaCriterion{
			ScorecardID: "default", CriterionID: "greeting", Result: res(results[0].Result == domain.QaFail),
			Reason: "listened to the recording", SupervisorID: "sup-1",
		}, commands.Meta{Actor: "agent:sup-1"})
		return err
	}
	return nil
}
