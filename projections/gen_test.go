package projections

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// genEvent is one event of a generated ledger and its stream.
type genEvent struct {
	stream string
	event  domain.Event
}

// step produces a session's next event at the given time.
type step func(at time.Time) genEvent

type genCustomer struct {
	id         string
	tier       domain.Tier
	identities []domain.Identity
	merged     bool
}

// ledgerGen generates a realistic contact-centre ledger: agents changing
// presence, customers registering and linking identities, interactions on
// every channel (queued, assigned, transferred, abandoned, closed, rated)
// where messages are most events, tickets through their workflow, and a
// few merges, some undone. Sessions interleave like concurrent traffic.
// The same seed gives the same events.
type ledgerGen struct {
	rng         *rand.Rand
	now         time.Time
	emit        func(genEvent)
	agents      []string
	presence    map[string]domain.Presence
	customers   []*genCustomer
	texts       []string
	ticketSeq   int
	events      int
	counts      map[string]int
	concurrency int
}

func newLedgerGen(seed uint64, emit func(genEvent)) *ledgerGen {
	g := &ledgerGen{
		rng:         rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now:         t0,
		emit:        emit,
		presence:    make(map[string]domain.Presence),
		counts:      make(map[string]int),
		concurrency: 300,
	}
	g.texts = g.makeTexts(600)
	return g
}

var phrases = []string{
	"Hello, I need help with my order", "您好，我的订单还没有到", "The app keeps crashing when I open the payment page",
	"我想修改收货地址", "Can you check the status of my refund?", "请问退款什么时候到账", "My internet has been down since this morning",
	"账单金额不对，多扣了两次费用", "Thanks, that solved it!", "好的，谢谢", "I have already restarted the router twice",
	"Let me check that for you.", "我帮您查一下", "Could you share your order number?", "请提供一下您的订单号",
	"I've escalated this to our technical team.", "已经为您升级处理", "Is there anything else I can help with?",
	"The package says delivered but I never received it", "快递显示已签收但我没有收到", "I want to cancel my subscription",
	"Your refund has been issued and should arrive in 3-5 business days.", "您的退款已处理，预计3-5个工作日到账",
}

func (g *ledgerGen) makeTexts(n int) []string {
	texts := make([]string, n)
	for i := range texts {
		k := 1 + g.rng.IntN(4)
		parts := make([]string, k)
		for j := range parts {
			parts[j] = phrases[g.rng.IntN(len(phrases))]
		}
		texts[i] = strings.Join(parts, " ")
	}
	return texts
}

func (g *ledgerGen) uuid() string {
	var u uuid.UUID
	for i := range u {
		u[i] = byte(g.rng.Uint32())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

func (g *ledgerGen) text() string { return g.texts[g.rng.IntN(len(g.texts))] }

func (g *ledgerGen) put(e genEvent) {
	g.events++
	g.counts[e.event.EventType()]++
	g.emit(e)
}

// run generates about target events (it finishes the sessions under way).
func (g *ledgerGen) run(target int) {
	g.registerAgents(40)
	var active [][]step
	for g.events < target || len(active) > 0 {
		for len(active) < g.concurrency && g.events < target {
			active = append(active, g.session())
		}
		g.now = g.now.Add(time.Duration(1+g.rng.IntN(1500)) * time.Millisecond)
		if g.rng.IntN(150) == 0 {
			g.changePresence()
		}
		i := g.rng.IntN(len(active))
		g.put(active[i][0](g.now))
		if active[i] = active[i][1:]; len(active[i]) == 0 {
			active[i] = active[len(active)-1]
			active = active[:len(active)-1]
		}
	}
}

func (g *ledgerGen) registerAgents(n int) {
	teams := []string{"billing", "tech", "general", "vip"}
	for i := range n {
		id := fmt.Sprintf("agent-%03d", i)
		team := teams[i%len(teams)]
		g.agents = append(g.agents, id)
		g.put(genEvent{domain.AgentStream(id), domain.AgentRegistered{AgentID: id, Name: fmt.Sprintf("Agent %03d", i), Team: team,
			Skills: map[string]int{team: 5 + i%5, "zh": 7}, Capacity: domain.DefaultCapacity, At: g.now}})
		g.put(genEvent{domain.AgentStream(id), domain.AgentPresenceChanged{AgentID: id, From: domain.PresenceOffline, To: domain.PresenceAvailable, At: g.now}})
		g.presence[id] = domain.PresenceAvailable
	}
}

func (g *ledgerGen) changePresence() {
	id := g.agents[g.rng.IntN(len(g.agents))]
	to := domain.Presences[g.rng.IntN(len(domain.Presences))]
	if to == g.presence[id] {
		return
	}
	g.put(genEvent{domain.AgentStream(id), domain.AgentPresenceChanged{AgentID: id, From: g.presence[id], To: to, At: g.now}})
	g.presence[id] = to
}

// session returns the steps of one piece of traffic.
func (g *ledgerGen) session() []step {
	switch n := g.rng.IntN(1000); {
	case n < 5 && len(g.customers) > 10:
		return g.mergeSession()
	case n < 35 && len(g.customers) > 0:
		return g.adminSession()
	}
	return g.interactionSession()
}

func (g *ledgerGen) pickCustomer() *genCustomer {
	for range 10 {
		if c := g.customers[g.rng.IntN(len(g.customers))]; !c.merged {
			return c
		}
	}
	return nil
}

func (g *ledgerGen) adminSession() []step {
	c := g.pickCustomer()
	if c == nil {
		return g.interactionSession()
	}
	id := c.id
	switch g.rng.IntN(3) {
	case 0:
		tag := []string{"vip-candidate", "complainer", "新客户", "enterprise"}[g.rng.IntN(4)]
		return []step{func(at time.Time) genEvent {
			return genEvent{domain.CustomerStream(id), domain.CustomerTagged{CustomerID: id, Tag: tag, At: at}}
		}}
	case 1:
		from, to := c.tier, domain.Tiers[g.rng.IntN(len(domain.Tiers))]
		if from == to {
			return g.interactionSession()
		}
		c.tier = to
		return []step{func(at time.Time) genEvent {
			return genEvent{domain.CustomerStream(id), domain.CustomerTierChanged{CustomerID: id, From: from, To: to, At: at}}
		}}
	}
	name := fmt.Sprintf("Customer %s renamed", id[:6])
	return []step{func(at time.Time) genEvent {
		return genEvent{domain.CustomerStream(id), domain.CustomerRenamed{CustomerID: id, DisplayName: name, At: at}}
	}}
}

func (g *ledgerGen) mergeSession() []step {
	src, dst := g.pickCustomer(), g.pickCustomer()
	if src == nil || dst == nil || src == dst {
		return g.interactionSession()
	}
	ids := append([]domain.Identity(nil), src.identities...)
	src.merged = true
	steps := []step{
		func(at time.Time) genEvent {
			return genEvent{domain.CustomerStream(src.id), domain.CustomerMerged{CustomerID: src.id, TargetID: dst.id, Identities: ids, At: at}}
		},
		func(at time.Time) genEvent {
			return genEvent{domain.CustomerStream(dst.id), domain.CustomerAbsorbed{CustomerID: dst.id, SourceID: src.id, Identities: ids, At: at}}
		},
	}
	if g.rng.IntN(3) > 0 {
		dst.identities = append(dst.identities, ids...)
		return steps
	}
	src.merged = false // undone: the source lives on
	return append(steps,
		func(at time.Time) genEvent {
			return genEvent{domain.CustomerStream(src.id), domain.CustomerMergeUndone{CustomerID: src.id, TargetID: dst.id, Reason: "wrong merge", At: at}}
		},
		func(at time.Time) genEvent {
			return genEvent{domain.CustomerStream(dst.id), domain.CustomerReleased{CustomerID: dst.id, SourceID: src.id, Identities: ids, At: at}}
		})
}

var channelWeights = []struct {
	ch     domain.Channel
	weight int
	kind   domain.IdentityKind
}{
	{domain.ChannelWebchat, 30, domain.IdentityAccount},
	{domain.ChannelPhone, 20, domain.IdentityPhone},
	{domain.ChannelEmail, 15, domain.IdentityEmail},
	{domain.ChannelWeChat, 15, domain.IdentityWeChat},
	{domain.ChannelApp, 10, domain.IdentityDevice},
	{domain.ChannelSMS, 10, domain.IdentityPhone},
}

func (g *ledgerGen) pickChannel() (domain.Channel, domain.IdentityKind) {
	n := g.rng.IntN(100)
	for _, c := range channelWeights {
		if n < c.weight {
			return c.ch, c.kind
		}
		n -= c.weight
	}
	return domain.ChannelWebchat, domain.IdentityAccount
}

func (g *ledgerGen) newIdentity(kind domain.IdentityKind) domain.Identity {
	var v string
	switch kind {
	case domain.IdentityPhone:
		v = fmt.Sprintf("+86138%08d", g.rng.IntN(100_000_000))
	case domain.IdentityEmail:
		v = fmt.Sprintf("user%d@example.com", g.rng.IntN(10_000_000))
	case domain.IdentityWeChat:
		v = "o" + strings.ReplaceAll(g.uuid(), "-", "")[:27]
	case domain.IdentityDevice:
		v = g.uuid()
	default:
		v = fmt.Sprintf("acct-%d", g.rng.IntN(10_000_000))
	}
	return domain.Identity{Kind: kind, Value: v}
}

// customerFor returns the customer of a new interaction, with the steps
// that register it or link the identity it comes in with.
func (g *ledgerGen) customerFor(kind domain.IdentityKind) (*genCustomer, domain.Identity, []step) {
	if len(g.customers) == 0 || g.rng.IntN(4) == 0 {
		c := &genCustomer{id: g.uuid(), tier: domain.Tiers[g.rng.IntN(len(domain.Tiers))]}
		id := g.newIdentity(kind)
		c.identities = []domain.Identity{id}
		g.customers = append(g.customers, c)
		name := fmt.Sprintf("Customer %s", c.id[:8])
		return c, id, []step{
			func(at time.Time) genEvent {
				return genEvent{domain.CustomerStream(c.id), domain.CustomerRegistered{CustomerID: c.id, DisplayName: name, Tier: c.tier, At: at}}
			},
			g.reserve(c.id, id),
			func(at time.Time) genEvent {
				return genEvent{domain.CustomerStream(c.id), domain.IdentityLinked{CustomerID: c.id, Identity: id, At: at}}
			},
		}
	}
	c := g.pickCustomer()
	if c == nil {
		return g.customerFor(kind)
	}
	for _, id := range c.identities {
		if id.Kind == kind {
			return c, id, nil
		}
	}
	id := g.newIdentity(kind)
	c.identities = append(c.identities, id)
	return c, id, []step{g.reserve(c.id, id), func(at time.Time) genEvent {
		return genEvent{domain.CustomerStream(c.id), domain.IdentityLinked{CustomerID: c.id, Identity: id, At: at}}
	}}
}

func (g *ledgerGen) reserve(customer string, id domain.Identity) step {
	return func(at time.Time) genEvent {
		return genEvent{domain.IdentityStream(id), domain.IdentityReserved{Kind: id.Kind, CustomerID: customer, At: at}}
	}
}

func (g *ledgerGen) interactionSession() []step {
	ch, kind := g.pickChannel()
	c, ident, steps := g.customerFor(kind)
	iid, cid := g.uuid(), c.id
	stream := domain.InteractionStream(iid)
	ev := func(e func(at time.Time) domain.Event) step {
		return func(at time.Time) genEvent { return genEvent{stream, e(at)} }
	}
	subject := ""
	if ch == domain.ChannelEmail {
		subject = g.text()
	}
	steps = append(steps, ev(func(at time.Time) domain.Event {
		return domain.InteractionStarted{InteractionID: iid, CustomerID: cid, Channel: ch, Identity: ident, Subject: subject, At: at}
	}))
	if ch != domain.ChannelPhone {
		steps = append(steps, g.messageIn(ev, iid))
	}
	queue := []string{"billing", "tech", "general", "vip"}[g.rng.IntN(4)]
	priority := domain.Priorities[g.rng.IntN(len(domain.Priorities))]
	steps = append(steps, ev(func(at time.Time) domain.Event {
		return domain.InteractionQueued{InteractionID: iid, Queue: queue, Priority: priority, Skills: []string{queue}, At: at}
	}))
	if g.rng.IntN(10) == 0 {
		return append(steps, ev(func(at time.Time) domain.Event {
			return domain.InteractionAbandoned{InteractionID: iid, Reason: "customer left", WaitSeconds: 90, At: at}
		}))
	}
	return append(steps, g.served(ev, iid, cid, ch)...)
}

func (g *ledgerGen) messageIn(ev func(func(time.Time) domain.Event) step, iid string) step {
	text, mid := g.text(), g.uuid()
	var attachments []domain.Attachment
	if g.rng.IntN(20) == 0 {
		attachments = []domain.Attachment{{Name: "photo.jpg", ContentType: "image/jpeg", Size: 123456, SHA256: strings.Repeat("ab", 32)}}
	}
	return ev(func(at time.Time) domain.Event {
		return domain.MessageReceived{InteractionID: iid, MessageID: mid, Text: text, Attachments: attachments, At: at}
	})
}

// served is the rest of an interaction an agent takes.
func (g *ledgerGen) served(ev func(func(time.Time) domain.Event) step, iid, cid string, ch domain.Channel) []step {
	agent := g.agents[g.rng.IntN(len(g.agents))]
	steps := []step{ev(func(at time.Time) domain.Event {
		return domain.InteractionAssigned{InteractionID: iid, AgentID: agent, WaitSeconds: 30, At: at}
	})}
	if ch == domain.ChannelPhone {
		steps = append(steps, ev(func(at time.Time) domain.Event {
			return domain.CallAnswered{InteractionID: iid, AgentID: agent, RingSeconds: 4, At: at}
		}))
	}
	if g.rng.IntN(20) == 0 {
		to := g.agents[g.rng.IntN(len(g.agents))]
		if to != agent {
			from := agent
			agent = to
			steps = append(steps, ev(func(at time.Time) domain.Event {
				return domain.InteractionTransferred{InteractionID: iid, FromAgentID: from, ToAgentID: to, Reason: "skills", At: at}
			}))
		}
	}
	steps = append(steps, g.conversation(ev, iid, agent, ch)...)
	if ch == domain.ChannelPhone {
		steps = append(steps, ev(func(at time.Time) domain.Event {
			return domain.CallEnded{InteractionID: iid, EndedBy: "CUSTOMER", TalkSeconds: 240, At: at}
		}))
	}
	disposition := []domain.Disposition{domain.DispositionResolved, domain.DispositionResolved, domain.DispositionFollowUp, domain.DispositionEscalated}[g.rng.IntN(4)]
	steps = append(steps, ev(func(at time.Time) domain.Event {
		return domain.InteractionClosed{InteractionID: iid, Disposition: disposition, AgentID: agent, Summary: "handled", At: at}
	}))
	if g.rng.IntN(10) < 3 {
		score := 1 + g.rng.IntN(5)
		steps = append(steps, ev(func(at time.Time) domain.Event {
			return domain.CsatRecorded{InteractionID: iid, Score: score, Comment: "ok", At: at}
		}))
	}
	if g.rng.IntN(100) < 15 {
		steps = append(steps, g.ticket(iid, cid, agent)...)
	}
	return steps
}

func (g *ledgerGen) conversation(ev func(func(time.Time) domain.Event) step, iid, agent string, ch domain.Channel) []step {
	var n int
	switch ch {
	case domain.ChannelPhone:
		n = g.rng.IntN(2)
	case domain.ChannelEmail:
		n = 1 + g.rng.IntN(4)
	case domain.ChannelSMS:
		n = 2 + g.rng.IntN(5)
	default:
		n = 4 + g.rng.IntN(14)
	}
	steps := make([]step, 0, n)
	for i := range n {
		if i%2 == 1 {
			steps = append(steps, g.messageIn(ev, iid))
			continue
		}
		text, mid := g.text(), g.uuid()
		steps = append(steps, ev(func(at time.Time) domain.Event {
			return domain.MessageSent{InteractionID: iid, MessageID: mid, AgentID: agent, Text: text, At: at}
		}))
	}
	return steps
}

func (g *ledgerGen) ticket(iid, cid, agent string) []step {
	g.ticketSeq++
	tid, number := g.uuid(), fmt.Sprintf("T%07d", g.ticketSeq)
	stream := domain.TicketStream(tid)
	ev := func(e func(at time.Time) domain.Event) step {
		return func(at time.Time) genEvent { return genEvent{stream, e(at)} }
	}
	category := domain.TicketCategories[g.rng.IntN(len(domain.TicketCategories))]
	priority := domain.Priorities[g.rng.IntN(len(domain.Priorities))]
	subject := g.text()
	steps := []step{
		ev(func(at time.Time) domain.Event {
			return domain.TicketOpened{TicketID: tid, Number: number, CustomerID: cid, Category: category, Priority: priority,
				BusinessDomain: "retail", Subject: subject, InteractionID: iid, OpenedBy: agent, At: at}
		}),
		ev(func(at time.Time) domain.Event { return domain.TicketAssigned{TicketID: tid, AgentID: agent, At: at} }),
		ev(func(at time.Time) domain.Event {
			return domain.TicketStatusChanged{TicketID: tid, From: domain.TicketStatusAssigned, To: domain.TicketStatusInProgress, At: at}
		}),
	}
	for range g.rng.IntN(3) {
		text := g.text()
		steps = append(steps, ev(func(at time.Time) domain.Event {
			return domain.TicketNoteAdded{TicketID: tid, AuthorID: agent, Text: text, At: at}
		}))
	}
	if g.rng.IntN(2) == 0 {
		steps = append(steps, ev(func(at time.Time) domain.Event {
			return domain.TicketCollaboratorAdded{TicketID: tid, Collaborator: domain.Collaborator{Department: "logistics"}, At: at}
		}))
	}
	if g.rng.IntN(4) == 0 { // still open at the end
		return steps
	}
	steps = append(steps, ev(func(at time.Time) domain.Event {
		return domain.TicketResolved{TicketID: tid, From: domain.TicketStatusInProgress, Resolution: "refunded", ResolvedBy: agent, At: at}
	}))
	if g.rng.IntN(3) > 0 {
		steps = append(steps, ev(func(at time.Time) domain.Event { return domain.TicketClosed{TicketID: tid, At: at} }))
	}
	return steps
}

// appendGenerated generates about n events with seed and appends them to
// store with workers concurrent appenders (each owning a share of the
// streams, so every stream keeps its order; concurrent appends share group
// commits). It returns the generator, for its counts.
func appendGenerated(ctx context.Context, store eventstore.Store, seed uint64, n, workers int) (*ledgerGen, error) {
	queues := make([]chan genEvent, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range queues {
		queues[i] = make(chan genEvent, 256)
		wg.Add(1)
		go func(in <-chan genEvent) {
			defer wg.Done()
			if err := appendWorker(ctx, store, in); err != nil {
				errs <- err
				for range in { // drain so the generator never blocks
				}
			}
		}(queues[i])
	}
	g := newLedgerGen(seed, func(e genEvent) {
		h := fnv.New32a()
		h.Write([]byte(e.stream))
		queues[h.Sum32()%uint32(workers)] <- e
	})
	g.run(n)
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	close(errs)
	return g, <-errs
}

// appendWorker appends what arrives on in, merging consecutive events of
// one stream into one Append.
func appendWorker(ctx context.Context, store eventstore.Store, in <-chan genEvent) error {
	var stream string
	var pending []eventstore.EventData
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		_, err := store.Append(ctx, stream, eventstore.Any, pending)
		pending = nil
		return err
	}
	for e := range in {
		if e.stream != stream || len(pending) >= 64 {
			if err := flush(); err != nil {
				return err
			}
			stream = e.stream
		}
		typ, schema, data, err := domain.EncodeEvent(e.event)
		if err != nil {
			return err
		}
		pending = append(pending, eventstore.EventData{ID: uuid.New(), Type: typ, Schema: schema, Data: data,
			Metadata: []byte(`{"actor":"system:generator"}`)})
		if len(in) == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
