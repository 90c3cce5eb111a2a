package graphql

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// screenPopQuery is the agent desktop's first read when a customer calls,
// the one the read models' view cache serves.
const screenPopQuery = `query($value: String!) { customerByIdentity(kind: PHONE, value: $value) {
	id displayName timeline(first: 50) { nodes { position kind ticketId } } } }`

type screenPop struct {
	CustomerByIdentity *struct {
		ID          string
		DisplayName string
		Timeline    struct{ Nodes []timelineNode }
	}
}

type timelineNode struct {
	Position int64
	Kind     string
	TicketID *string
}

func (s screenPop) newest() int64 {
	var newest int64
	if s.CustomerByIdentity != nil {
		for _, n := range s.CustomerByIdentity.Timeline.Nodes {
			newest = max(newest, n.Position)
		}
	}
	return newest
}

func (s screenPop) has(position int64) bool {
	return s.CustomerByIdentity != nil && slices.ContainsFunc(s.CustomerByIdentity.Timeline.Nodes, func(n timelineNode) bool { return n.Position == position })
}

// TestViewCacheNeverAnswersStale runs channel messages and mutations
// against screen pops of the same customers, all at once: every answer to
// a READ_YOUR_WRITES mutation holds its write, every screen pop made after
// the read models reached a channel message's position holds the message,
// and no client ever sees a customer's timeline go back in position.
func TestViewCacheNeverAnswersStale(t *testing.T) {
	e := newEnv(t)
	e.registerAgent("a-001", "Li Lei")
	agent := e.token(auth.RoleAgent, "a-001")
	const customers, rounds = 4, 25
	phones := make([]string, customers)
	ids := make([]string, customers)
	for i := range phones {
		phones[i] = fmt.Sprintf("+861380000%04d", i)
		ids[i] = e.inbound(fmt.Sprintf("first-%d", i), phones[i], fmt.Sprintf("Customer %d", i), "hello").CustomerID
	}
	e.settle()

	var wg sync.WaitGroup
	stop := make(chan struct{})
	fail := func(format string, args ...any) { t.Errorf(format, args...) }
	for i := range customers {
		wg.Add(2)
		go func() { // the customer writes on web chat
			defer wg.Done()
			for k := range rounds {
				res, err := e.cmds.ReceiveInbound(e.ctx, commands.InboundMessage{
					Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityPhone, Value: phones[i]},
					ProviderMessageID: fmt.Sprintf("m-%d-%d", i, k), Text: fmt.Sprintf("message %d", k), SentAt: time.Now().UTC(),
				}, commands.Meta{})
				if err != nil {
					fail("inbound: %v", err)
					return
				}
				if err := e.runner.WaitFor(e.ctx, res.Position); err != nil {
					fail("wait: %v", err)
					return
				}
				var pop screenPop
				e.post(agent, screenPopQuery, map[string]any{"value": phones[i]}).ok(t).decode(t, &pop)
				if !pop.has(int64(res.Position)) {
					fail("customer %d: a screen pop after the read models reached message %d at %d does not show it (newest %d)", i, k, res.Position, pop.newest())
				}
			}
		}()
		go func() { // an agent opens tickets for them and reads the answer
			defer wg.Done()
			for k := range rounds {
				var out struct {
					OpenTicket struct {
						Position int64
						Ticket   struct {
							ID       string
							Customer struct {
								Timeline struct{ Nodes []timelineNode }
							}
						}
					}
				}
				e.post(agent, `mutation($c: ID!, $s: String!) { openTicket(customerId: $c, category: COMPLAINT, subject: $s, consistency: READ_YOUR_WRITES) {
					position ticket { id customer { timeline(first: 50) { nodes { position kind ticketId } } } } } }`,
					map[string]any{"c": ids[i], "s": fmt.Sprintf("ticket %d", k)}).ok(t).decode(t, &out)
				tk := out.OpenTicket.Ticket
				if !slices.ContainsFunc(tk.Customer.Timeline.Nodes, func(n timelineNode) bool {
					return n.Kind == "TICKET_OPENED" && n.TicketID != nil && *n.TicketID == tk.ID
				}) {
					fail("customer %d: the READ_YOUR_WRITES answer of openTicket (position %d) has no TICKET_OPENED for %s", i, out.OpenTicket.Position, tk.ID)
				}
			}
		}()
	}
	var readers sync.WaitGroup
	var pops int
	var popsMu sync.Mutex
	for c := range 4 { // agents' desktops popping the customers again and again
		readers.Add(1)
		go func() {
			defer readers.Done()
			seen := make([]int64, customers)
			for n := 0; ; n++ {
				select {
				case <-stop:
					popsMu.Lock()
					pops += n
					popsMu.Unlock()
					return
				default:
				}
				i := (n + c) % customers
				var pop screenPop
				e.post(agent, screenPopQuery, map[string]any{"value": phones[i]}).ok(t).decode(t, &pop)
				if got := pop.newest(); got < seen[i] {
					fail("reader %d: customer %d's timeline went back from position %d to %d", c, i, seen[i], got)
				} else {
					seen[i] = got
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if pops < customers*rounds {
		t.Fatalf("the readers made %d screen pops while %d writes ran: too few to race them", pops, 2*customers*rounds)
	}
	hits := e.counter("ledger_view_cache_lookups_total", map[string]string{"view": "timeline", "result": "hit"})
	if hits == 0 {
		t.Fatalf("%d screen pops and no timeline served from the view cache: the race did not involve it", pops)
	}
	t.Logf("%d screen pops, %v timelines from the view cache", pops, hits)
}
