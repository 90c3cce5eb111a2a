package commands_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

var t0 = commandstest.T0

// The shared helpers of the command and policy tests.
var (
	newHandler = commandstest.NewHandler
	allEvents  = commandstest.AllEvents
	inbound    = commandstest.Inbound
)

func countType[E domain.Event](events []domain.Event) int { return commandstest.CountType[E](events) }

// movingClock returns a clock that advances a second on every reading, so
// a decision made again differs from the first one.
func movingClock() func() time.Time {
	var mu sync.Mutex
	now := t0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

func TestConcurrentFirstMessagesFromOnePhoneCreateOneCustomer(t *testing.T) {
	h, store := newHandler(t)
	const racers = 16
	results := make([]commands.InboundResult, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half by SMS, half by phone call, each spelling the number
			// differently: all one customer after normalisation.
			msg := inbound(domain.ChannelSMS, domain.IdentityPhone, "138 0013 8000", "sms-"+string(rune('a'+i)))
			if i%2 == 1 {
				msg = inbound(domain.ChannelPhone, domain.IdentityPhone, "+86-138-0013-8000", "invite-"+string(rune('a'+i)))
				msg.Text, msg.ConversationKey = "", "call-"+string(rune('a'+i))
			}
			results[i], errs[i] = h.ReceiveInbound(context.Background(), msg, commands.Meta{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("racer %d: %v", i, err)
		}
		if results[i].CustomerID != results[0].CustomerID {
			t.Fatalf("racer %d landed on customer %s, racer 0 on %s", i, results[i].CustomerID, results[0].CustomerID)
		}
	}
	_, events := allEvents(t, store)
	if n := countType[domain.CustomerRegistered](events); n != 1 {
		t.Fatalf("CustomerRegistered events = %d, want 1", n)
	}
	if n := countType[domain.IdentityReserved](events); n != 1 {
		t.Fatalf("IdentityReserved events = %d, want 1", n)
	}
	// One running conversation per channel and identity: SMS racers share
	// one interaction; each call is an interaction of its own.
	if n := countType[domain.InteractionStarted](events); n != 1+racers/2 {
		t.Fatalf("InteractionStarted events = %d, want %d (one SMS conversation, one per call)", n, 1+racers/2)
	}
	if n := countType[domain.MessageReceived](events); n != racers/2 {
		t.Fatalf("MessageReceived events = %d, want %d (calls carry no message)", n, racers/2)
	}
}

func TestInboundRetryAppendsNothing(t *testing.T) {
	h, store := newHandler(t)
	msg := inbound(domain.ChannelWeChat, domain.IdentityWeChat, "oX9f-abc_123", "wx-1")
	first, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := store.HeadPosition(t.Context())
	again, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := store.HeadPosition(t.Context())
	if after != head {
		t.Fatalf("retry appended %d events", after-head)
	}
	if again.InteractionID != first.InteractionID || again.CustomerID != first.CustomerID {
		t.Fatalf("retry landed on %+v, first on %+v", again, first)
	}
	if !first.NewInteraction || again.NewInteraction {
		t.Fatalf("NewInteraction: first %v, retry %v; want true, false", first.NewInteraction, again.NewInteraction)
	}
}

func TestMessageAfterCloseStartsNewInteraction(t *testing.T) {
	h, _ := newHandler(t)
	msg := inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000001", "s1")
	first, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000001", "s2"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if second.InteractionID != first.InteractionID {
		t.Fatalf("second message opened %s, want it to join %s", second.InteractionID, first.InteractionID)
	}
	if _, err := h.Interaction(t.Context(), first.InteractionID, commands.Meta{Actor: "agent:a1"},
		domain.AssignInteraction{AgentID: "a1"}, domain.CloseInteraction{Disposition: domain.DispositionResolved}); err != nil {
		t.Fatal(err)
	}
	third, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000001", "s3"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if third.InteractionID == first.InteractionID || !third.NewInteraction {
		t.Fatalf("message after close joined %s (new=%v); want a new interaction", third.InteractionID, third.NewInteraction)
	}
	if third.CustomerID != first.CustomerID {
		t.Fatal("message after close landed on another customer")
	}
	it, err := h.LoadInteraction(t.Context(), third.InteractionID)
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != domain.InteractionStatusQueued || it.Queue != commands.DefaultQueue || it.Messages != 1 {
		t.Fatalf("new interaction state %+v; want queued in %s with 1 message", it, commands.DefaultQueue)
	}
}

func TestConcurrentAssignmentHasOneWinner(t *testing.T) {
	h, _ := newHandler(t)
	in, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelApp, domain.IdentityAccount, "acct-1", "app-1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	const agents = 8
	errs := make([]error, agents)
	var wg sync.WaitGroup
	for i := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			agent := "agent-" + string(rune('a'+i))
			_, errs[i] = h.Interaction(context.Background(), in.InteractionID, commands.Meta{Actor: "agent:" + agent}, domain.AssignInteraction{AgentID: agent})
		}()
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		switch domain.ErrorCode(err) {
		case "":
			winners++
		case domain.ECONFLICT:
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d agents got the interaction, want exactly 1", winners)
	}
}

func TestLinkIdentityOwnedByAnotherCustomerIsConflict(t *testing.T) {
	h, _ := newHandler(t)
	a, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelEmail, domain.IdentityEmail, "a@example.com", "e1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelEmail, domain.IdentityEmail, "b@example.com", "e2"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.LinkIdentity(t.Context(), b.CustomerID, domain.Identity{Kind: domain.IdentityEmail, Value: "A@Example.com"}, commands.Meta{})
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("linking a's email to b: err %v, want conflict", err)
	}
	if _, err := h.LinkIdentity(t.Context(), a.CustomerID, domain.Identity{Kind: domain.IdentityPhone, Value: "13700000000"}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	// A later SMS from that phone lands on a.
	sms, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelSMS, domain.IdentityPhone, "+86 137 0000 0000", "s1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if sms.CustomerID != a.CustomerID {
		t.Fatalf("SMS from a linked phone landed on %s, want %s", sms.CustomerID, a.CustomerID)
	}
}

func TestMergeAndUndoMoveIdentities(t *testing.T) {
	h, _ := newHandler(t)
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613600000000"}
	wechat := domain.Identity{Kind: domain.IdentityWeChat, Value: "oWeChatOpenID1"}
	byPhone, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelSMS, From: phone, ProviderMessageID: "p1", Text: "hi"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	byWeChat, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelWeChat, From: wechat, ProviderMessageID: "w1", Text: "你好"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if byPhone.CustomerID == byWeChat.CustomerID {
		t.Fatal("two unrelated identities made one customer")
	}
	if _, err := h.MergeCustomers(t.Context(), byWeChat.CustomerID, byPhone.CustomerID, "same person", commands.Meta{Actor: "agent:s1"}); err != nil {
		t.Fatal(err)
	}
	// Merging again is a no-op, not an error: an interrupted merge is
	// finished by repeating it.
	if _, err := h.MergeCustomers(t.Context(), byWeChat.CustomerID, byPhone.CustomerID, "same person", commands.Meta{}); err != nil {
		t.Fatalf("repeating a merge: %v", err)
	}
	next, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelWeChat, From: wechat, ProviderMessageID: "w2", Text: "还在吗"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if next.CustomerID != byPhone.CustomerID {
		t.Fatalf("after merge, WeChat resolves to %s, want target %s", next.CustomerID, byPhone.CustomerID)
	}
	target, _ := h.LoadCustomer(t.Context(), byPhone.CustomerID)
	if !target.HasIdentity(wechat) || !target.HasIdentity(phone) {
		t.Fatalf("target identities %v, want phone and WeChat", target.Identities)
	}
	if _, err := h.UndoMerge(t.Context(), byWeChat.CustomerID, "wrong merge", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	after, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelWeChat, From: wechat, ProviderMessageID: "w3", Text: "?"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if after.CustomerID != byWeChat.CustomerID {
		t.Fatalf("after undo, WeChat resolves to %s, want %s", after.CustomerID, byWeChat.CustomerID)
	}
	target, _ = h.LoadCustomer(t.Context(), byPhone.CustomerID)
	if target.HasIdentity(wechat) {
		t.Fatal("after undo the target still holds the WeChat identity")
	}
}

func TestOpenTicketNumbersAndIdempotency(t *testing.T) {
	h, store := newHandler(t)
	in, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelPhone, domain.IdentityPhone, "+8613500000000", "c1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	open := domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryComplaint, Subject: "Engineer never came", InteractionID: in.InteractionID}
	meta := commands.Meta{Actor: "agent:a1", IdempotencyKey: "client-req-42"}
	res, ticket, err := h.OpenTicket(t.Context(), open, meta)
	if err != nil {
		t.Fatal(err)
	}
	if ticket.Number == "" || ticket.Status != domain.TicketStatusNew || res.Position == 0 {
		t.Fatalf("opened %+v at %d", ticket, res.Position)
	}
	head, _ := store.HeadPosition(t.Context())
	_, again, err := h.OpenTicket(t.Context(), open, meta)
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := store.HeadPosition(t.Context()); after != head || again.ID != ticket.ID || again.Number != ticket.Number {
		t.Fatalf("retry: ticket %s/%s and %d new events; want %s/%s and none", again.ID, again.Number, after-head, ticket.ID, ticket.Number)
	}
	numbers := map[string]bool{ticket.Number: true}
	for i := range 20 {
		_, other, err := h.OpenTicket(t.Context(), domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryInquiry, Subject: "question"}, commands.Meta{})
		if err != nil {
			t.Fatalf("ticket %d: %v", i, err)
		}
		if numbers[other.Number] {
			t.Fatalf("ticket number %s given twice", other.Number)
		}
		numbers[other.Number] = true
	}
	if _, err := h.Ticket(t.Context(), ticket.ID, domain.ResolveTicket{Resolution: "visit booked"}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Ticket(t.Context(), ticket.ID, domain.CloseTicket{}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err = h.Ticket(t.Context(), ticket.ID, domain.AssignTicket{AgentID: "a2"}, commands.Meta{})
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("assigning a closed ticket: %v, want conflict", err)
	}
}

func TestMetadataCarriesCorrelationCausationAndActor(t *testing.T) {
	h, store := newHandler(t)
	in, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613400000000", "SM123"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Interaction(t.Context(), in.InteractionID, commands.Meta{Actor: "agent:a7", CorrelationID: "corr-1", CausationID: "cmd-9"},
		domain.SendMessage{AgentID: "a7", Text: "We are on it."})
	if err != nil {
		t.Fatal(err)
	}
	recs, events := allEvents(t, store)
	var sawInbound, sawReply bool
	for i, r := range recs {
		md, err := eventstore.ParseMetadata(r.Metadata)
		if err != nil {
			t.Fatal(err)
		}
		switch events[i].(type) {
		case domain.MessageReceived:
			sawInbound = true
			if md.SourceMessageID != "SM123" || md.Channel != "SMS" || md.Actor != "customer:"+in.CustomerID || md.CorrelationID == "" {
				t.Fatalf("inbound metadata %+v", md)
			}
		case domain.MessageSent:
			sawReply = true
			if md.Actor != "agent:a7" || md.CorrelationID != "corr-1" || md.CausationID != "cmd-9" || md.Command != "SendMessage" {
				t.Fatalf("reply metadata %+v", md)
			}
		}
	}
	if !sawInbound || !sawReply {
		t.Fatal("missing inbound or reply event")
	}
}

func TestInvalidInboundWritesNothing(t *testing.T) {
	h, store := newHandler(t)
	bad := []commands.InboundMessage{
		{Channel: "FAX", From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}, ProviderMessageID: "1", Text: "x"},
		{Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: "not a number"}, ProviderMessageID: "2", Text: "x"},
		{Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}, ProviderMessageID: "", Text: "x"},
		{Channel: domain.ChannelEmail, From: domain.Identity{Kind: domain.IdentityEmail, Value: "nobody"}, ProviderMessageID: "3", Text: "x"},
	}
	for i, msg := range bad {
		if _, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("case %d: err %v, want invalid", i, err)
		}
	}
	if head, _ := store.HeadPosition(t.Context()); head != 0 {
		t.Fatalf("invalid input appended %d events", head)
	}
}

func TestRedeliveryAfterCloseAppendsNothing(t *testing.T) {
	h, store := newHandler(t)
	msg := inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000002", "SM-1")
	first, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Interaction(t.Context(), first.InteractionID, commands.Meta{}, domain.AssignInteraction{AgentID: "a1"},
		domain.CloseInteraction{Disposition: domain.DispositionResolved}); err != nil {
		t.Fatal(err)
	}
	head, _ := store.HeadPosition(t.Context())
	again, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := store.HeadPosition(t.Context()); after != head {
		t.Fatalf("a redelivery after close appended %d events", after-head)
	}
	if again.InteractionID != first.InteractionID || again.NewInteraction {
		t.Fatalf("redelivery landed on %s (new=%v), want the closed %s", again.InteractionID, again.NewInteraction, first.InteractionID)
	}
}

func TestRetryWithIdempotencyKeyAfterTimeMovedOn(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := commands.NewHandler(store, commands.WithClock(movingClock()), commands.WithLogger(slog.New(slog.DiscardHandler)))
	in, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelApp, domain.IdentityAccount, "acct-9", "m1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, ticket, err := h.OpenTicket(t.Context(), domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryInquiry, Subject: "s"}, commands.Meta{IdempotencyKey: "open-1"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []domain.TicketCommand{
		domain.AddTicketNote{AuthorID: "a1", Text: "called back"},
		domain.ResolveTicket{Resolution: "fixed"},
		domain.CloseTicket{},
	}
	for i, step := range steps {
		meta := commands.Meta{Actor: "agent:a1", IdempotencyKey: "req-" + string(rune('0'+i))}
		first, err := h.Ticket(t.Context(), ticket.ID, step, meta)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		head, _ := store.HeadPosition(t.Context())
		// The client did not see the answer and sends the same request
		// again, later: it must get the first answer, not an error and not
		// a second event.
		again, err := h.Ticket(t.Context(), ticket.ID, step, meta)
		if err != nil {
			t.Fatalf("retry of step %d: %v", i, err)
		}
		if after, _ := store.HeadPosition(t.Context()); after != head || again.Position != first.Position {
			t.Fatalf("retry of step %d: %d new events, position %d (first %d)", i, after-head, again.Position, first.Position)
		}
	}
}

func TestOppositeMergesNeverMergeBothWays(t *testing.T) {
	h, _ := newHandler(t)
	for round := range 20 {
		a, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelSMS, domain.IdentityPhone, "+86135000100"+pad2(round), "a"), commands.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelEmail, domain.IdentityEmail, "b"+pad2(round)+"@example.com", "b"), commands.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = h.MergeCustomers(context.Background(), a.CustomerID, b.CustomerID, "", commands.Meta{})
		}()
		go func() {
			defer wg.Done()
			_, _ = h.MergeCustomers(context.Background(), b.CustomerID, a.CustomerID, "", commands.Meta{})
		}()
		wg.Wait()
		ca, _ := h.LoadCustomer(t.Context(), a.CustomerID)
		cb, _ := h.LoadCustomer(t.Context(), b.CustomerID)
		if ca.MergedInto != "" && cb.MergedInto != "" {
			t.Fatalf("round %d: %s merged into %s and %s into %s", round, ca.ID, ca.MergedInto, cb.ID, cb.MergedInto)
		}
		// Whichever merge won, both identities resolve to the survivor.
		survivor := a.CustomerID
		if ca.MergedInto != "" {
			survivor = b.CustomerID
		}
		for _, id := range []domain.Identity{{Kind: domain.IdentityPhone, Value: "+86135000100" + pad2(round)}, {Kind: domain.IdentityEmail, Value: "b" + pad2(round) + "@example.com"}} {
			res, err := h.ResolveCustomer(t.Context(), id, "", commands.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if (ca.MergedInto != "" || cb.MergedInto != "") && res.CustomerID != survivor {
				t.Fatalf("round %d: %s resolves to %s, want survivor %s", round, id, res.CustomerID, survivor)
			}
		}
	}
}

func TestUndoMergeAfterTargetUnlinkedAnIdentity(t *testing.T) {
	h, _ := newHandler(t)
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613300000000"}
	wechat := domain.Identity{Kind: domain.IdentityWeChat, Value: "oUndoTest"}
	s, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelSMS, From: phone, ProviderMessageID: "1", Text: "x"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.LinkIdentity(t.Context(), s.CustomerID, wechat, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	tgt, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelEmail, domain.IdentityEmail, "t@example.com", "2"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.MergeCustomers(t.Context(), s.CustomerID, tgt.CustomerID, "", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.UnlinkIdentity(t.Context(), tgt.CustomerID, phone, "number given up", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.UndoMerge(t.Context(), s.CustomerID, "wrong merge", commands.Meta{}); err != nil {
		t.Fatalf("undo after an unlink: %v", err)
	}
	src, _ := h.LoadCustomer(t.Context(), s.CustomerID)
	if src.MergedInto != "" || src.HasIdentity(phone) || !src.HasIdentity(wechat) {
		t.Fatalf("after undo the source is merged into %q with identities %v; want unmerged with WeChat only", src.MergedInto, src.Identities)
	}
	res, err := h.ResolveCustomer(t.Context(), wechat, "", commands.Meta{})
	if err != nil || res.CustomerID != s.CustomerID {
		t.Fatalf("WeChat resolves to %s (%v), want the source %s", res.CustomerID, err, s.CustomerID)
	}
	// The phone was given up while merged: it belongs to nobody now, so it
	// registers a new customer rather than going back to either.
	res, err = h.ResolveCustomer(t.Context(), phone, "", commands.Meta{})
	if err != nil || res.CustomerID == s.CustomerID || res.CustomerID == tgt.CustomerID || !res.Created {
		t.Fatalf("released phone resolves to %+v (%v); want a new customer", res, err)
	}
}

func pad2(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }
