package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// demoConfig shapes the synthetic traffic.
type demoConfig struct {
	Customers    int
	Interactions int
	Seed         uint64
	Workers      int
	// Start is when simulated traffic begins; interactions arrive as a
	// Poisson process from Start, at ArrivalsPerHour, or, when that is 0,
	// at the rate that fits Interactions into Span on average.
	Start           time.Time
	Span            time.Duration
	ArrivalsPerHour float64
	// MeanHandle is the mean of the exponential talk time of calls
	// (default 5 minutes).
	MeanHandle time.Duration
	// Pace, when positive, makes the demo run in real time: the clock is
	// the wall clock and each step sleeps a random time up to Pace.
	Pace time.Duration
	// AggregateCache is the budget of the aggregate state cache, in
	// entries, shared out among the workers' handlers (each has its own
	// clock, so its own handler and cache); 0: no cache.
	AggregateCache int
	// Knowledge is imported before the first contact; its published
	// reply templates write some of the agents' replies.
	Knowledge []config.KnowledgeFile
}

// cacheOption shares the aggregate cache budget out among n handlers.
func (c demoConfig) cacheOption(n int) commands.Option {
	if c.AggregateCache <= 0 {
		return commands.WithAggregateCache(0)
	}
	return commands.WithAggregateCache(max(c.AggregateCache/max(n, 1), 1))
}

// demoStats counts what the demo produced.
type demoStats struct {
	interactions, tickets, abandoned, identityLinks, facts atomic.Int64
}

// demoTraffic drives realistic contact-centre traffic through the command
// layer: customers who reach us on several channels (and are recognised as
// one customer), queues, agents answering, tickets that move through their
// workflow, satisfaction scores.
type demoTraffic struct {
	cfg    demoConfig
	store  eventstore.Store
	agents []demoAgent
	people []*demoCustomer
	stats  demoStats
	// arrivals holds each interaction's arrival time after Start: the
	// Poisson process, drawn once from the seed.
	arrivals []time.Duration
	// templates are the published reply templates of cfg.Knowledge.
	templates []demoTemplate
}

type demoAgent struct {
	id, name, team string
	skills         map[string]int
}

// demoCustomer is the demo's own memory of a customer; each customer is
// driven by one worker only, so it needs no lock.
type demoCustomer struct {
	index     int
	name      string
	tier      domain.Tier
	preferred domain.Channel
	id        string // customer id once the ledger knows them
	linked    map[domain.IdentityKind]bool
	contacts  int
}

func newDemoTraffic(cfg demoConfig, store eventstore.Store) *demoTraffic {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Customers <= 0 {
		cfg.Customers = 1
	}
	d := &demoTraffic{cfg: cfg, store: store}
	rng := rand.New(rand.NewPCG(cfg.Seed, 1))
	d.agents = makeDemoAgents(rng, max(4, min(200, cfg.Customers/40)))
	for i := range cfg.Customers {
		d.people = append(d.people, makeDemoCustomer(rng, i))
	}
	if d.cfg.MeanHandle <= 0 {
		d.cfg.MeanHandle = 5 * time.Minute
	}
	d.arrivals = poissonArrivals(rand.New(rand.NewPCG(cfg.Seed, 2)), cfg.Interactions, cfg.arrivalRate())
	return d
}

// arrivalRate is the Poisson rate in arrivals per second.
func (c demoConfig) arrivalRate() float64 {
	if c.ArrivalsPerHour > 0 {
		return c.ArrivalsPerHour / 3600
	}
	if c.Interactions > 0 && c.Span > 0 {
		return float64(c.Interactions) / c.Span.Seconds()
	}
	return 0
}

// poissonArrivals draws n arrival times of a Poisson process at rate per
// second: the gaps between arrivals are exponential.
func poissonArrivals(rng *rand.Rand, n int, rate float64) []time.Duration {
	if n <= 0 || rate <= 0 {
		return nil
	}
	out := make([]time.Duration, n)
	var t float64
	for i := range out {
		t += rng.ExpFloat64() / rate
		out[i] = time.Duration(t * float64(time.Second))
	}
	return out
}

// expDuration draws an exponential duration with the given mean.
func expDuration(rng *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(rng.ExpFloat64() * float64(mean))
}

// run registers the agents and then plays cfg.Interactions interactions
// (forever when Interactions is 0 and Pace is set). done is called after
// each interaction.
func (d *demoTraffic) run(ctx context.Context, done func()) error {
	if err := d.registerAgents(ctx); err != nil {
		return err
	}
	if err := d.publishKnowledge(ctx); err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, d.cfg.Workers)
	for w := range d.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.worker(ctx, w, &next, done); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// worker plays interactions for the customers it owns (those whose index
// modulo the worker count is w), so one customer is never driven by two
// workers at once.
func (d *demoTraffic) worker(ctx context.Context, w int, next *atomic.Int64, done func()) error {
	rng := rand.New(rand.NewPCG(d.cfg.Seed, uint64(w)+2))
	clock := &demoClock{pace: d.cfg.Pace}
	h := commands.NewHandler(d.store, commands.WithClock(clock.now), d.cfg.cacheOption(d.cfg.Workers))
	owned := d.ownedBy(w)
	if len(owned) == 0 {
		return nil
	}
	for local := 0; ; local++ {
		slot := int(next.Add(1) - 1)
		if d.cfg.Interactions > 0 && slot >= d.cfg.Interactions || ctx.Err() != nil {
			return nil
		}
		clock.set(d.slotTime(slot))
		c := pickCustomer(owned, local, rng)
		if err := d.playInteraction(ctx, h, clock, rng, c, slot); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("demo interaction %d: %w", slot, err)
		}
		if done != nil {
			done()
		}
	}
}

func (d *demoTraffic) ownedBy(w int) []*demoCustomer {
	var owned []*demoCustomer
	for i := w; i < len(d.people); i += d.cfg.Workers {
		owned = append(owned, d.people[i])
	}
	return owned
}

// pickCustomer chooses who contacts us next: each customer once, then a
// skewed choice so some customers come back often.
func pickCustomer(owned []*demoCustomer, local int, rng *rand.Rand) *demoCustomer {
	n := len(owned)
	if local < n {
		return owned[local]
	}
	k := int(float64(n) * rng.Float64() * rng.Float64())
	return owned[min(k, n-1)]
}

func (d *demoTraffic) slotTime(i int) time.Time {
	if d.cfg.Pace > 0 || i >= len(d.arrivals) {
		return time.Now().UTC()
	}
	return d.cfg.Start.Add(d.arrivals[i])
}

func (d *demoTraffic) registerAgents(ctx context.Context) error {
	h := commands.NewHandler(d.store, commands.WithClock(d.beforeFirstContact().now), d.cfg.cacheOption(d.cfg.Workers))
	for _, a := range d.agents {
		meta := commands.Meta{Actor: "system:demo", IdempotencyKey: "demo-agent-" + a.id}
		reg := domain.RegisterAgent{AgentID: a.id, Name: a.name, Team: a.team, Skills: a.skills}
		if _, err := h.Agent(ctx, a.id, reg, meta); err != nil && !isConflict(err) {
			return fmt.Errorf("register agent %s: %w", a.id, err)
		}
		if _, err := h.Agent(ctx, a.id, domain.ChangePresence{Presence: domain.PresenceAvailable}, meta); err != nil {
			return fmt.Errorf("agent %s presence: %w", a.id, err)
		}
	}
	return nil
}

func isConflict(err error) bool { return domain.ErrorCode(err) == domain.ECONFLICT }

// playInteraction plays one contact from first message to close.
func (d *demoTraffic) playInteraction(ctx context.Context, h *commands.Handler, clock *demoClock, rng *rand.Rand, c *demoCustomer, slot int) error {
	channel := c.nextChannel(rng)
	if err := d.recognise(ctx, h, c, channel); err != nil {
		return err
	}
	topic := demoTopics[rng.IntN(len(demoTopics))]
	conv := "demo-" + strconv.FormatUint(d.cfg.Seed, 10) + "-" + strconv.Itoa(slot)
	opening := topic.opening(rng)
	in, err := d.inbound(ctx, h, c, channel, conv, opening, topic.subject, 0)
	if err != nil {
		return err
	}
	if c.id == "" && c.tier != domain.TierStandard {
		if _, err := h.UpdateCustomer(ctx, in.CustomerID, domain.ChangeTier{Tier: c.tier}, commands.Meta{Actor: "system:crm"}); err != nil {
			return err
		}
	}
	if c.id == "" {
		if err := d.recordContext(ctx, h, c, c.identity(identityKindFor(channel)), clock.now()); err != nil {
			return err
		}
	}
	c.id = in.CustomerID
	c.linked[identityKindFor(channel)] = true
	c.contacts++
	d.stats.interactions.Add(1)
	it := in.InteractionID
	agentMeta := func(agent string) commands.Meta { return commands.Meta{Actor: "agent:" + agent, Channel: channel} }

	clock.advance(rng, 5*time.Second, 4*time.Minute)
	if rng.IntN(100) < 8 {
		d.stats.abandoned.Add(1)
		_, err := h.Interaction(ctx, it, commands.Meta{Actor: "customer:" + c.id}, domain.AbandonInteraction{Reason: "customer left the queue"})
		return err
	}
	agent := d.pickAgent(rng, topic.skill)
	if _, err := h.Interaction(ctx, it, agentMeta(agent.id), domain.AssignInteraction{AgentID: agent.id}); err != nil {
		routed, ok := d.routedAgent(ctx, h, it, err)
		if !ok {
			return err
		}
		agent = routed
	}
	if err := d.converse(ctx, h, clock, rng, c, channel, conv, it, agent, topic, opening); err != nil {
		return err
	}
	if rng.IntN(100) < 35 {
		if err := d.ticketLifecycle(ctx, h, clock, rng, c, it, agent, topic); err != nil {
			return err
		}
	}
	return d.closeInteraction(ctx, h, clock, rng, c, it, agent)
}

// recognise links the identity of a channel the customer uses for the first
// time, as an agent does after verifying who is writing; without it the
// customer would appear as a stranger on the new channel.
func (d *demoTraffic) recognise(ctx context.Context, h *commands.Handler, c *demoCustomer, channel domain.Channel) error {
	kind := identityKindFor(channel)
	if c.id == "" || c.linked[kind] {
		return nil
	}
	meta := commands.Meta{Actor: "system:demo", IdempotencyKey: fmt.Sprintf("demo-link-%d-%s", c.index, kind)}
	if _, err := h.LinkIdentity(ctx, c.id, c.identity(kind), meta); err != nil {
		return fmt.Errorf("link %s: %w", kind, err)
	}
	c.linked[kind] = true
	d.stats.identityLinks.Add(1)
	return nil
}

func (d *demoTraffic) inbound(ctx context.Context, h *commands.Handler, c *demoCustomer, channel domain.Channel, conv, text, subject string, n int) (commands.InboundResult, error) {
	if channel == domain.ChannelPhone && n == 0 {
		text = ""
	}
	msg := commands.InboundMessage{
		Channel: channel, From: c.identity(identityKindFor(channel)), DisplayName: c.name,
		ProviderMessageID: conv + "-m" + strconv.Itoa(n), ConversationKey: conv,
		Subject: subject, Text: text, Priority: c.priority(),
	}
	return h.ReceiveInbound(ctx, msg, commands.Meta{})
}

// converse plays the exchange: a phone call is answered and talked through;
// written channels trade a few messages.
func (d *demoTraffic) converse(ctx context.Context, h *commands.Handler, clock *demoClock, rng *rand.Rand, c *demoCustomer, channel domain.Channel, conv, it string, agent demoAgent, topic demoTopic, opening string) error {
	meta := commands.Meta{Actor: "agent:" + agent.id, Channel: channel}
	if channel == domain.ChannelPhone {
		clock.advance(rng, 3*time.Second, 25*time.Second)
		if _, err := h.Interaction(ctx, it, meta, domain.AnswerCall{AgentID: agent.id}); err != nil {
			return err
		}
		clock.add(expDuration(rng, d.cfg.MeanHandle))
		_, err := h.Interaction(ctx, it, meta, domain.EndCall{EndedBy: "CUSTOMER"})
		return err
	}
	rounds := 1 + rng.IntN(3)
	for r := range rounds {
		clock.advance(rng, 20*time.Second, 3*time.Minute)
		reply := domain.SendMessage{MessageID: conv + "-r" + strconv.Itoa(r), AgentID: agent.id, Text: topic.reply(rng)}
		if r == 0 {
			var err error
			if reply, err = d.templateReply(rng, reply, topic, opening, channel, c, agent); err != nil {
				return err
			}
		}
		if _, err := h.Interaction(ctx, it, meta, reply); err != nil {
			return err
		}
		if r < rounds-1 {
			clock.advance(rng, 30*time.Second, 10*time.Minute)
			if _, err := d.inbound(ctx, h, c, channel, conv, topic.followUp(rng), "", r+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// ticketLifecycle opens a ticket from the interaction and moves it along
// its workflow, stopping at a random point as real tickets do.
func (d *demoTraffic) ticketLifecycle(ctx context.Context, h *commands.Handler, clock *demoClock, rng *rand.Rand, c *demoCustomer, it string, agent demoAgent, topic demoTopic) error {
	meta := commands.Meta{Actor: "agent:" + agent.id}
	priority := domain.PriorityNormal
	if topic.category == domain.CategoryComplaint || c.tier == domain.TierVIP {
		priority = domain.PriorityUrgent
	}
	if rng.IntN(100) < 5 {
		priority = domain.PriorityCritical
	}
	open := domain.OpenTicket{
		CustomerID: c.id, Category: topic.category, Priority: priority, BusinessDomain: topic.domain,
		Subject: topic.subject, Description: topic.opening(rng), InteractionID: it, OpenedBy: agent.id,
	}
	res, ticket, err := h.OpenTicket(ctx, open, meta)
	if err != nil {
		return err
	}
	_ = res
	d.stats.tickets.Add(1)
	steps := []domain.TicketCommand{domain.AssignTicket{AgentID: agent.id}, domain.ChangeTicketStatus{To: domain.TicketStatusInProgress}}
	if rng.IntN(100) < 30 {
		steps = append(steps, domain.AddTicketNote{AuthorID: agent.id, Text: demoNotes[rng.IntN(len(demoNotes))]})
	}
	if rng.IntN(100) < 15 {
		due := clock.now().Add(48 * time.Hour)
		steps = append(steps, domain.AddCollaborator{Collaborator: domain.Collaborator{Department: demoDepartments[rng.IntN(len(demoDepartments))], DueAt: due}})
	}
	if rng.IntN(100) < 25 {
		steps = append(steps, domain.ChangeTicketStatus{To: domain.TicketStatusPendingCustomer, Reason: "waiting for the customer's details"})
	}
	if rng.IntN(100) < 70 {
		steps = append(steps, domain.ResolveTicket{Resolution: "resolved with the customer", ResolvedBy: agent.id})
		if rng.IntN(100) < 60 {
			steps = append(steps, domain.CloseTicket{})
		}
	}
	for _, step := range steps {
		clock.advance(rng, time.Minute, 2*time.Hour)
		if _, err := h.Ticket(ctx, ticket.ID, step, meta); err != nil {
			return err
		}
	}
	return nil
}

func (d *demoTraffic) closeInteraction(ctx context.Context, h *commands.Handler, clock *demoClock, rng *rand.Rand, c *demoCustomer, it string, agent demoAgent) error {
	clock.advance(rng, 10*time.Second, 2*time.Minute)
	disposition := []domain.Disposition{domain.DispositionResolved, domain.DispositionResolved, domain.DispositionResolved, domain.DispositionFollowUp, domain.DispositionEscalated, domain.DispositionNoAction}[rng.IntN(6)]
	meta := commands.Meta{Actor: "agent:" + agent.id}
	if _, err := h.Interaction(ctx, it, meta, domain.CloseInteraction{Disposition: disposition, AgentID: agent.id}); err != nil {
		return err
	}
	if rng.IntN(100) < 45 {
		clock.advance(rng, time.Minute, 30*time.Minute)
		score := []int{5, 5, 4, 4, 4, 3, 3, 2, 1}[rng.IntN(9)]
		_, err := h.Interaction(ctx, it, commands.Meta{Actor: "customer:" + c.id}, domain.RecordCsat{Score: score})
		return err
	}
	return nil
}

// routedAgent is the agent a router running beside the demo (`ledger serve
// --demo`) gave the interaction before the demo's own pick could: the demo
// plays on with that agent.
func (d *demoTraffic) routedAgent(ctx context.Context, h *commands.Handler, interactionID string, assignErr error) (demoAgent, bool) {
	if !isConflict(assignErr) {
		return demoAgent{}, false
	}
	it, err := h.LoadInteraction(ctx, interactionID)
	if err != nil || it.AgentID == "" {
		return demoAgent{}, false
	}
	for _, a := range d.agents {
		if a.id == it.AgentID {
			return a, true
		}
	}
	return demoAgent{id: it.AgentID}, true
}

func (d *demoTraffic) pickAgent(rng *rand.Rand, skill string) demoAgent {
	for range 8 {
		a := d.agents[rng.IntN(len(d.agents))]
		if a.skills[skill] > 0 {
			return a
		}
	}
	return d.agents[rng.IntN(len(d.agents))]
}

// nextChannel is the channel of the customer's next contact: mostly their
// preferred one, sometimes another (the cross-channel journeys the ledger
// exists to join up).
func (c *demoCustomer) nextChannel(rng *rand.Rand) domain.Channel {
	if c.contacts == 0 || rng.IntN(100) < 60 {
		return c.preferred
	}
	return demoChannelMix[rng.IntN(len(demoChannelMix))]
}

func (c *demoCustomer) priority() domain.Priority {
	if c.tier == domain.TierVIP {
		return domain.PriorityUrgent
	}
	return domain.PriorityNormal
}

// identity is the customer's handle of the given kind; all are derived
// from the customer's index so a rerun with the same seed finds the same
// customers.
func (c *demoCustomer) identity(kind domain.IdentityKind) domain.Identity {
	switch kind {
	case domain.IdentityPhone:
		return domain.Identity{Kind: kind, Value: fmt.Sprintf("+86 13%d %04d %04d", c.index%10, (c.index/10000)%10000, c.index%10000)}
	case domain.IdentityEmail:
		return domain.Identity{Kind: kind, Value: fmt.Sprintf("customer%d@example.com", c.index)}
	case domain.IdentityWeChat:
		return domain.Identity{Kind: kind, Value: fmt.Sprintf("oDemo%08dx%04d", c.index, c.index%9973)}
	case domain.IdentityDevice:
		return domain.Identity{Kind: kind, Value: fmt.Sprintf("web-%08d", c.index)}
	default:
		return domain.Identity{Kind: kind, Value: fmt.Sprintf("acct-%08d", c.index)}
	}
}

// identityKindFor is the identity a channel knows the customer by.
func identityKindFor(ch domain.Channel) domain.IdentityKind {
	switch ch {
	case domain.ChannelPhone, domain.ChannelSMS:
		return domain.IdentityPhone
	case domain.ChannelEmail:
		return domain.IdentityEmail
	case domain.ChannelWeChat:
		return domain.IdentityWeChat
	case domain.ChannelWebchat:
		return domain.IdentityDevice
	default:
		return domain.IdentityAccount
	}
}

// demoClock is one worker's simulated clock; with a pace it follows the
// wall clock and sleeps instead.
type demoClock struct {
	mu   sync.Mutex
	t    time.Time
	pace time.Duration
}

func (c *demoClock) now() time.Time {
	if c.pace > 0 {
		return time.Now().UTC()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// add moves simulated time by d, or, in real time, sleeps a random
// fraction of the pace.
func (c *demoClock) add(d time.Duration) {
	if c.pace > 0 {
		time.Sleep(time.Duration(rand.Int64N(int64(c.pace))))
		return
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// advance moves simulated time by a random duration in [lo, hi), or, in
// real time, sleeps a random fraction of the pace.
func (c *demoClock) advance(rng *rand.Rand, lo, hi time.Duration) {
	if c.pace > 0 {
		time.Sleep(time.Duration(rng.Int64N(int64(c.pace))))
		return
	}
	d := lo + time.Duration(rng.Int64N(int64(hi-lo)))
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
