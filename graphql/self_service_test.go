package graphql

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

const ticketStatusQuery = `query($n: String!, $p: String!) { ticketStatus(number: $n, phone: $p) { number status openedAt resolvedAt message(language: ZH) } }`

// TestTicketStatusSelfService asks for a ticket's status without a token:
// the owner's phone (in another written form) gets it; an unknown number
// and someone else's phone get the very same null answer; nothing else
// can be asked for without a token; past the burst the client is rate
// limited.
func TestTicketStatusSelfService(t *testing.T) {
	frozen := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, func(c *Config) { c.Now = func() time.Time { return frozen } }) // no refill during the test
	f := e.seed()
	other := e.inbound("other-1", "+8613900000000", "Zhao", "hi")
	ticket, err := e.cmds.LoadTicket(e.ctx, f.ticketID)
	if err != nil {
		t.Fatal(err)
	}

	var got struct {
		TicketStatus *struct {
			Number, Status, Message string
			OpenedAt                time.Time
			ResolvedAt              *time.Time
		}
	}
	e.post("", ticketStatusQuery, map[string]any{"n": ticket.Number, "p": "138 0013 8000"}).ok(t).decode(t, &got)
	if got.TicketStatus == nil || got.TicketStatus.Number != ticket.Number || got.TicketStatus.Status != "NEW" ||
		got.TicketStatus.ResolvedAt != nil || got.TicketStatus.Message != "工单 "+ticket.Number+" 当前状态：已受理。" {
		t.Fatalf("owner's answer %+v", got.TicketStatus)
	}

	var answers []string
	for _, vars := range []map[string]any{
		{"n": ticket.Number, "p": "+8613900000000"}, // another customer's phone
		{"n": "T0000000000", "p": seedPhone},        // unknown number
		{"n": ticket.Number, "p": "+8613700000000"}, // nobody's phone
	} {
		r := e.post("", ticketStatusQuery, vars).ok(t)
		answers = append(answers, string(r.Data))
	}
	for _, a := range answers {
		if a != `{"ticketStatus":null}` {
			t.Fatalf("mismatch answers %v: want null, the same for all", answers)
		}
	}
	_ = other

	// Without a token, only ticketStatus: anything else beside or instead
	// of it is UNAUTHENTICATED.
	for _, q := range []string{
		`{ ticket(id: "` + f.ticketID + `") { number } }`,
		`{ ticketStatus(number: "x", phone: "y") { number } me { subject } }`,
		`query { ...F } fragment F on Query { ticketStatus(number: "x", phone: "y") { number } }`,
		`mutation { confirmPromise(interactionId: "` + f.interactionID + `", promise: "x") { position } }`,
	} {
		if r := e.post("", q, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("%s without a token: status %d, codes %v", q, r.Status, r.codes())
		}
	}
	// A bad token is refused even for self-service.
	if r := e.post("not-a-token", ticketStatusQuery, map[string]any{"n": ticket.Number, "p": seedPhone}); r.Status != http.StatusUnauthorized {
		t.Errorf("bad token: status %d", r.Status)
	}

	// 4 queries so far from this client; the burst is 5.
	if r := e.post("", ticketStatusQuery, map[string]any{"n": ticket.Number, "p": seedPhone}); len(r.Errors) != 0 {
		t.Fatalf("5th query refused: %v", r.codes())
	}
	r := e.post("", ticketStatusQuery, map[string]any{"n": ticket.Number, "p": seedPhone})
	if codes := r.codes(); len(codes) != 1 || codes[0] != apierror.CodeRateLimited {
		t.Fatalf("6th query: codes %v, want RATE_LIMITED", codes)
	}
	var limited struct{ TicketStatus json.RawMessage }
	r.decode(t, &limited)
	if string(limited.TicketStatus) != "null" {
		t.Fatalf("a rate-limited query answered %s", limited.TicketStatus)
	}
}

func TestClientLimiterIsPerClient(t *testing.T) {
	l := newClientLimiter()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	for i := range selfServiceBurst {
		if !l.allow("10.0.0.1", now) {
			t.Fatalf("query %d refused within the burst", i+1)
		}
	}
	if l.allow("10.0.0.1", now) {
		t.Fatal("query past the burst allowed")
	}
	if !l.allow("10.0.0.2", now) {
		t.Fatal("another client was limited")
	}
	if !l.allow("10.0.0.1", now.Add(selfServiceEvery)) {
		t.Fatal("no token back after the refill interval")
	}
}

// TestClientLimiterByIPv6Network: an IPv6 client that changes address
// within its /64 is still limited, by the network's bucket; another
// network is served.
func TestClientLimiterByIPv6Network(t *testing.T) {
	l := newClientLimiter()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	allowed := 0
	for i := range 200 {
		if l.allow(fmt.Sprintf("2001:db8:1:2::%x", i+1), now) {
			allowed++
		}
	}
	if allowed > selfServiceBurst*selfServiceNetFactor {
		t.Errorf("%d queries from one /64 allowed at once, want at most %d", allowed, selfServiceBurst*selfServiceNetFactor)
	}
	if !l.allow("2001:db8:1:3::1", now) {
		t.Error("another /64 was limited")
	}
	// The exact address still has its own, smaller bucket.
	later := now.Add(time.Hour)
	for range selfServiceBurst {
		l.allow("2001:db8:9::1", later)
	}
	if l.allow("2001:db8:9::1", later) {
		t.Error("one IPv6 address got more than its burst")
	}
}

// TestClientLimiterForgetsLeastRecentlyUsed: when the limiter is full, a
// new client pushes out the least recently seen one, not everyone: a
// client that keeps trying stays limited.
func TestClientLimiterForgetsLeastRecentlyUsed(t *testing.T) {
	l := newClientLimiter()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	const abuser = "192.0.2.1"
	for range selfServiceBurst {
		l.allow(abuser, now)
	}
	for i := range maxTrackedClients + 10 {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff), now)
		if i%1000 == 0 && l.allow(abuser, now) {
			t.Fatalf("the abuser was served again after %d other clients", i+1)
		}
	}
	if l.allow(abuser, now) {
		t.Fatal("the abuser was served again once the limiter was full")
	}
}

// TestConfirmPromiseMutation confirms an agent's promise in writing on the
// customer's channel.
func TestConfirmPromiseMutation(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Contacts = commands.ContactFinderFunc(func(context.Context, string) (commands.Contact, error) {
			return commands.Contact{Channel: domain.ChannelSMS, Identity: domain.Identity{Kind: domain.IdentityPhone, Value: seedPhone}}, nil
		})
	})
	f := e.seed()
	q := `mutation($i: ID!) { confirmPromise(interactionId: $i, promise: "Refund within 3 days", idempotencyKey: "k1") { interactionId channel position } }`
	var got struct {
		ConfirmPromise struct {
			InteractionID, Channel string
			Position               int64
		}
	}
	e.post(e.token(auth.RoleAgent, f.agentID), q, map[string]any{"i": f.interactionID}).ok(t).decode(t, &got)
	if got.ConfirmPromise.Channel != "SMS" || got.ConfirmPromise.Position == 0 || got.ConfirmPromise.InteractionID == f.interactionID {
		t.Fatalf("confirmation %+v", got.ConfirmPromise)
	}
	it, err := e.cmds.LoadInteraction(e.ctx, got.ConfirmPromise.InteractionID)
	if err != nil || it.Channel != domain.ChannelSMS || it.Messages != 1 || it.CustomerID != f.customerID {
		t.Fatalf("confirmation interaction %+v, %v", it, err)
	}
	// The analyst may not.
	if r := e.post(e.token(auth.RoleAnalyst, "an1"), q, map[string]any{"i": f.interactionID}); len(r.codes()) != 1 || r.codes()[0] != apierror.CodeForbidden {
		t.Fatalf("analyst: %v", r.codes())
	}
}
