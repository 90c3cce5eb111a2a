package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// twoNodeLeaseTTL is the nodes' --lease-ttl in the two-node test: short,
// so that the takeover it measures is quick; production uses 10 s.
const twoNodeLeaseTTL = 2 * time.Second

// singletonFollowers are the singletons every node of the test may run;
// each must run on exactly one.
var singletonFollowers = []string{"router", "wrap-up", "sla", "notify", "outbound", "qa"}

// TestTwoNodesServeOneLedger runs two `ledger serve` processes on one
// shared ledger, through the protocol endpoint of a third (a store host
// that runs no singletons): a customer's SMS reaches node A, a supervisor
// answers it and opens a ticket through node B's GraphQL with
// READ_YOUR_WRITES and sees the customer's message; every singleton runs
// on one node; kill -9 of the leader hands them all to the other, which
// delivers what comes next; no reply or notification is sent twice and no
// SLA event is written twice.
func TestTwoNodesServeOneLedger(t *testing.T) {
	t.Setenv("LEDGER_JWT_SECRET", "") // each node's own generated secret, shared with `ledger token`
	bin := crashLedgerBinary(t)
	p := newProviders(t, testAppPushSecret)
	endpoint := &esdbComponent{listen: "127.0.0.1:0"}
	host, err := startServer(t.Context(), serveConfig{data: t.TempDir(), addr: "127.0.0.1:0", noSingletons: true}, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.shutdown(5 * time.Second) })
	url := "esdb://" + endpoint.addr + "?tls=false"

	dirs := map[string]string{"A": t.TempDir(), "B": t.TempDir()}
	nodes := map[string]*crashServer{}
	for _, name := range []string{"A", "B"} {
		nodes[name] = startServeProcess(t, bin, "node-"+name, "--store", url, "--data", dirs[name],
			"--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0", "--lease-ttl", twoNodeLeaseTTL.String(),
			"--limit-exempt", "127.0.0.0/8,::1", "--sms-auth-token", testSMSToken,
			"--sms-api", p.srv.URL+"/sms/2010-04-01/Accounts/AC1", "--sms-from", "+10005550100")
		waitFor(t, nodes[name].admin+"/readyz", http.StatusOK)
	}
	leader := waitForOneLeader(t, nodes)
	t.Logf("node %s leads the singletons: A %v, B %v", leader, leaderGauges(t, nodes["A"]), leaderGauges(t, nodes["B"]))

	// A customer texts node A; a supervisor on node B answers.
	smsMessage(t, nodes["A"].base, "SMtwo1", "+8613800000042", "sms: my router is down")
	interaction := waitForInteraction(t, host, domain.ChannelSMS)
	token := strings.TrimSpace(mustLedger(t, "token", "--data", dirs["B"], "--role", "supervisor", "--subject", "sup1"))
	var reply struct {
		ReplyToInteraction struct {
			Position    int64
			Interaction struct {
				Customer struct{ ID string }
				Messages []struct{ Direction, Text string }
			}
		}
	}
	gqlOn(t, nodes["B"].base, token, fmt.Sprintf(`mutation { replyToInteraction(interactionId: %q, text: "We are on it", idempotencyKey: "two-1", consistency: READ_YOUR_WRITES) {
		position interaction { customer { id } messages { direction text } } } }`, interaction), &reply)
	msgs := reply.ReplyToInteraction.Interaction.Messages
	if len(msgs) != 2 || msgs[0].Text != "sms: my router is down" || msgs[1].Text != "We are on it" {
		t.Fatalf("node B's READ_YOUR_WRITES answer shows %+v; want the customer's message through node A, then the reply", msgs)
	}
	var opened struct {
		OpenTicket struct{ Ticket struct{ ID string } }
	}
	gqlOn(t, nodes["B"].base, token, fmt.Sprintf(`mutation { openTicket(customerId: %q, category: COMPLAINT, subject: "Router down", interactionId: %q,
		idempotencyKey: "two-ticket", consistency: READ_YOUR_WRITES) { ticket { id } } }`, reply.ReplyToInteraction.Interaction.Customer.ID, interaction), &opened)
	// Delivered and recorded: outbound delivery is at least once, so a
	// leader killed between the provider's acceptance and the record
	// would rightly have its successor send again (README, "Scale-out").
	eventually(t, "the reply and the ticket's notification delivered and recorded", func() bool {
		s, _, _ := p.counts()
		return s >= 2 && countType(allLedgerEvents(t, host.store), "MessageDelivered") >= 2
	})

	// kill -9 the leader; the other node takes every singleton over.
	survivor := map[string]string{"A": "B", "B": "A"}[leader]
	killed := time.Now()
	nodes[leader].kill(t)
	waitForLeader(t, nodes[survivor], 4*twoNodeLeaseTTL)
	took := time.Since(killed)
	t.Logf("node %s took every singleton over %s after node %s was killed (lease TTL %s)", survivor, took.Round(time.Millisecond), leader, twoNodeLeaseTTL)
	if took < twoNodeLeaseTTL/2 {
		t.Errorf("node %s took over %s after the kill: before the leader could have stepped down", survivor, took)
	}

	// What comes next is delivered by the survivor: another reply, and the
	// notification of the ticket being worked on.
	survivorToken := strings.TrimSpace(mustLedger(t, "token", "--data", dirs[survivor], "--role", "supervisor", "--subject", "sup1"))
	gqlOn(t, nodes[survivor].base, survivorToken, fmt.Sprintf(`mutation { replyToInteraction(interactionId: %q, text: "A technician comes tomorrow", idempotencyKey: "two-2") { position } }`, interaction), nil)
	gqlOn(t, nodes[survivor].base, survivorToken, fmt.Sprintf(`mutation { assignTicket(ticketId: %q, agentId: "sup1", idempotencyKey: "two-assign") { position } }`, opened.OpenTicket.Ticket.ID), nil)
	gqlOn(t, nodes[survivor].base, survivorToken, fmt.Sprintf(`mutation { changeTicketStatus(ticketId: %q, status: IN_PROGRESS, idempotencyKey: "two-progress") { position } }`, opened.OpenTicket.Ticket.ID), nil)
	eventually(t, "the survivor delivered the second reply and the notification", func() bool {
		return slices.Contains(smsBodies(p), "A technician comes tomorrow") && len(smsBodies(p)) >= 4
	})
	time.Sleep(twoNodeLeaseTTL) // anything sent twice would be sent by now

	bodies := smsBodies(p)
	seen := map[string]int{}
	for _, b := range bodies {
		if seen[b]++; seen[b] == 2 {
			t.Errorf("the customer got %q twice", b)
		}
	}
	t.Logf("SMS sent: %q", bodies)
	events := allLedgerEvents(t, host.store)
	assertNoEffectTwice(t, events)
	if n := countType(events, "MessageDelivered"); n != len(bodies) {
		t.Errorf("%d MessageDelivered for %d SMS sent", n, len(bodies))
	}
	nodes[survivor].stop(t)
}

// waitForOneLeader waits until each singleton runs on exactly one node
// and returns the node that runs outbound delivery.
func waitForOneLeader(t *testing.T, nodes map[string]*crashServer) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		holders := map[string][]string{}
		for name, n := range nodes {
			for f, v := range leaderGauges(t, n) {
				if v == 1 {
					holders[f] = append(holders[f], name)
				}
			}
		}
		settled := true
		for _, f := range singletonFollowers {
			if len(holders[f]) > 1 {
				t.Fatalf("singleton %s runs on nodes %v at once", f, holders[f])
			}
			settled = settled && len(holders[f]) == 1
		}
		if settled {
			return holders["outbound"][0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("singletons' holders after 30 s: %v; want one node each for %v", holders, singletonFollowers)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForLeader waits until node runs every singleton.
func waitForLeader(t *testing.T, node *crashServer, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		gauges := leaderGauges(t, node)
		all := true
		for _, f := range singletonFollowers {
			all = all && gauges[f] == 1
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the survivor holds %v after %s; want every singleton of %v\n%s", gauges, within, singletonFollowers, readTail(node.log))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var leaderGauge = regexp.MustCompile(`^ledger_follower_leader\{follower="([^"]+)"\} (\d+)`)

// leaderGauges reads a node's ledger_follower_leader gauges.
func leaderGauges(t *testing.T, n *crashServer) map[string]int {
	t.Helper()
	body, status := get(t, n.admin+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("metrics: %d", status)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if m := leaderGauge.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]] = int(m[2][0] - '0')
		}
	}
	return out
}

// waitForInteraction returns the interaction on ch once the ledger has it.
func waitForInteraction(t *testing.T, srv *server, ch domain.Channel) string {
	t.Helper()
	id := ""
	eventually(t, "the interaction recorded", func() bool {
		for _, rec := range allLedgerEvents(t, srv.store) {
			if rec.Type != "InteractionStarted" {
				continue
			}
			e, _ := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if s := e.(domain.InteractionStarted); s.Channel == ch {
				id = s.InteractionID
				return true
			}
		}
		return false
	})
	return id
}

func mustLedger(t *testing.T, args ...string) string {
	t.Helper()
	out, err := ledger(t, args...)
	if err != nil {
		t.Fatalf("ledger %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// gqlOn posts a GraphQL request to a node and decodes its data into v
// (nil: only checks it succeeded).
func gqlOn(t *testing.T, base, token, query string, v any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s answered %d %s", query, resp.StatusCode, raw)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	}
}

func smsBodies(p *providers) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.sms))
	for i, m := range p.sms {
		out[i] = m.Get("Body")
	}
	return out
}

func allLedgerEvents(t *testing.T, store eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	events, err := store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func countType(events []eventstore.RecordedEvent, typ string) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// assertNoEffectTwice fails when a singleton's effect was written twice:
// two SLA events of one type on one clock, or two notifications, caused
// by the same event.
func assertNoEffectTwice(t *testing.T, events []eventstore.RecordedEvent) {
	t.Helper()
	seen := map[string]bool{}
	sla := 0
	for _, e := range events {
		md, err := eventstore.ParseMetadata(e.Metadata)
		if err != nil || md.CausationID == "" || !strings.HasPrefix(md.Actor, "system:") {
			continue
		}
		if strings.HasPrefix(e.Type, "Sla") {
			sla++
		}
		key := strings.Join([]string{e.Stream, e.Type, md.CausationID, string(e.Data)}, "|")
		if seen[key] {
			t.Errorf("%s on %s written twice for the event %s (by %s)", e.Type, e.Stream, md.CausationID, md.Actor)
		}
		seen[key] = true
	}
	if sla == 0 {
		t.Error("no SLA event was written: the SLA policy did not run on either node")
	}
}
