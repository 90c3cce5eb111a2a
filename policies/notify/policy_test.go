package notify_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/notify"
)

// flakySMS fails the first attempt of every message, then accepts it.
type flakySMS struct {
	mu    sync.Mutex
	tries map[string]int
	got   []outbound.Delivery
}

func (f *flakySMS) Send(_ context.Context, d outbound.Delivery) (outbound.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries[d.SourceEventID]++
	if f.tries[d.SourceEventID] == 1 {
		return outbound.Receipt{}, errors.New("provider busy (503)")
	}
	f.got = append(f.got, d)
	return outbound.Receipt{ProviderMessageID: "SM-" + d.MessageID}, nil
}

func (f *flakySMS) delivered() []outbound.Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]outbound.Delivery(nil), f.got...)
}

// smsContact writes to every customer by SMS at the number they texted
// from (what the read-side finder answers for a customer whose last
// written channel is SMS).
func smsContact(phone string) commands.ContactFinder {
	return commands.ContactFinderFunc(func(context.Context, string) (commands.Contact, error) {
		return commands.Contact{Channel: domain.ChannelSMS, Identity: domain.Identity{Kind: domain.IdentityPhone, Value: phone}}, nil
	})
}

// TestTicketNotificationsReachTheCustomerThroughTheOutbox opens, works and
// resolves a ticket, confirms a phone promise and answers status queries;
// the notification policy writes each message once (also when it reads
// the ledger again from an earlier checkpoint), and the outbound
// dispatcher delivers each on SMS, retrying the failed first attempt, with
// every attempt recorded.
func TestTicketNotificationsReachTheCustomerThroughTheOutbox(t *testing.T) {
	ctx := t.Context()
	h, store := newHandler(t)
	const phone = "+8613900000001"
	sms, err := h.ReceiveInbound(ctx, inbound(domain.ChannelSMS, domain.IdentityPhone, phone, "sms-1"), commands.Meta{Actor: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	_, ticket, err := h.OpenTicketFromInteraction(ctx, sms.InteractionID, domain.OpenTicket{Category: domain.CategoryFaultReport, Subject: "Broadband down"}, commands.Meta{Actor: "agent:a1"})
	if err != nil {
		t.Fatal(err)
	}
	agent := commands.Meta{Actor: "agent:a1"}
	for _, cmd := range []domain.TicketCommand{
		domain.AssignTicket{AgentID: "a1"},
		domain.AddTicketNote{AuthorID: "a1", Text: "internal: check the DSLAM"}, // not the customer's business
		domain.ChangeTicketStatus{To: domain.TicketStatusInProgress},
		domain.ResolveTicket{Resolution: "Router replaced", ResolvedBy: "a1"},
	} {
		if _, err := h.Ticket(ctx, ticket.ID, cmd, agent); err != nil {
			t.Fatal(err)
		}
	}
	// A phone call, and the agent's promise confirmed in writing.
	call, err := h.ReceiveInbound(ctx, commands.InboundMessage{Channel: domain.ChannelPhone, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		ProviderMessageID: "call-1", ConversationKey: "call-1"}, commands.Meta{Actor: "system:sip"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.ConfirmPromise(ctx, smsContact(phone), call.InteractionID, "a1", "A technician visits on Friday between 9 and 12.", commands.Meta{IdempotencyKey: "promise-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ConfirmPromise(ctx, smsContact(phone), call.InteractionID, "a1", "A technician visits on Friday between 9 and 12.", commands.Meta{IdempotencyKey: "promise-1"}); err != nil {
		t.Fatal(err) // a retried request
	}
	// Status queries: the customer's own ticket, by SMS from another
	// conversation; a stranger asking for the same number.
	query, err := h.ReceiveInbound(ctx, commands.InboundMessage{Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		ProviderMessageID: "sms-q1", ConversationKey: "q1", Text: "STATUS " + strings.ToLower(ticket.Number)}, commands.Meta{Actor: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := h.ReceiveInbound(ctx, commands.InboundMessage{Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900000999"},
		ProviderMessageID: "sms-q2", Text: "查询 " + ticket.Number}, commands.Meta{Actor: "customer"})
	if err != nil {
		t.Fatal(err)
	}

	checkpoint := filepath.Join(t.TempDir(), "notify.checkpoint")
	if err := os.WriteFile(checkpoint, []byte("0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := notify.NewPolicy(h, smsContact(phone), checkpoint, slog.New(slog.DiscardHandler))
	end := head(t, store)
	if err := policy.RunUntil(ctx, end); err != nil {
		t.Fatal(err)
	}
	// A restart from an old checkpoint reads everything again.
	if err := os.WriteFile(checkpoint, []byte("0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := notify.NewPolicy(h, smsContact(phone), checkpoint, slog.New(slog.DiscardHandler)).RunUntil(ctx, end); err != nil {
		t.Fatal(err)
	}

	_, events := allEvents(t, store)
	var texts []string
	for _, e := range events {
		if m, ok := e.(domain.MessageSent); ok && m.AgentID == domain.NotifyAgent {
			texts = append(texts, m.Text)
		}
	}
	want := []string{
		// Written by the agent's request, before the policy ran.
		"to confirm in writing what we promised on the phone: A technician visits on Friday between 9 and 12.",
		"We have received your request (ticket " + ticket.Number + ": Broadband down).",
		"We are working on your ticket " + ticket.Number + ".",
		"Your ticket " + ticket.Number + " has been resolved: Router replaced.",
		"Ticket " + ticket.Number + " is resolved.",
		"未找到与您的号码匹配的工单 " + ticket.Number + "。",
	}
	if len(texts) != len(want) {
		t.Fatalf("%d messages written, want %d:\n%s", len(texts), len(want), strings.Join(texts, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(texts[i], w) {
			t.Errorf("message %d = %q, want it to contain %q", i, texts[i], w)
		}
	}
	// The stranger's answer (in Chinese, as they asked in Chinese) says
	// nothing of the ticket.
	if strings.Contains(texts[5], "解决") || strings.Contains(texts[5], "Broadband") {
		t.Errorf("the stranger learnt something: %q", texts[5])
	}
	// Automatic closes name no agent (QA scores agents' work).
	for _, e := range events {
		if c, ok := e.(domain.InteractionClosed); ok && c.AgentID != "" {
			t.Errorf("interaction %s closed by agent %q", c.InteractionID, c.AgentID)
		}
	}
	// The query-only conversations were closed with their answer.
	for _, id := range []string{query.InteractionID, stranger.InteractionID} {
		it, err := h.LoadInteraction(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if it.Status != domain.InteractionStatusClosed {
			t.Errorf("status query interaction %s is %s, want closed", id, it.Status)
		}
	}

	// The outbound dispatcher delivers every message on SMS, the first
	// attempt of each failing and retried.
	sender := &flakySMS{tries: map[string]int{}}
	cp := &follow.MemoryCheckpoint{}
	if err := cp.Save(ctx, 0); err != nil {
		t.Fatal(err)
	}
	d, err := outbound.New(outbound.Config{Store: store, Checkpoints: cp, Senders: map[domain.Channel]outbound.Sender{domain.ChannelSMS: sender},
		Logger: slog.New(slog.DiscardHandler), InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, CheckpointEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	deadline := time.Now().Add(30 * time.Second)
	for len(sender.delivered()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := sender.delivered(); len(got) != len(want) {
		t.Fatalf("%d messages delivered, want %d", len(got), len(want))
	}
	_, events = allEvents(t, store)
	failed, delivered := 0, 0
	for _, e := range events {
		switch e := e.(type) {
		case domain.MessageDeliveryFailed:
			if e.Attempt != 1 || e.GaveUp {
				t.Errorf("failed attempt %+v", e)
			}
			failed++
		case domain.MessageDelivered:
			if e.Attempt != 2 || e.Channel != domain.ChannelSMS {
				t.Errorf("delivery %+v", e)
			}
			delivered++
		}
	}
	if failed != len(want) || delivered != len(want) {
		t.Fatalf("%d failed and %d successful attempts recorded, want %d of each", failed, delivered, len(want))
	}
	for _, d := range sender.delivered() {
		if strangers := strings.HasPrefix(d.Text, "未找到"); (d.To.Value == phone) == strangers {
			t.Errorf("message %q went to %s", d.Text, d.To.Value)
		}
	}
}

// TestNotificationThreadAfterReopen: the resolution notice closes the
// ticket's notification thread; a reopen starts another one, and telling
// again (a restart) writes nothing twice.
func TestNotificationThreadAfterReopen(t *testing.T) {
	ctx := t.Context()
	h, store := newHandler(t)
	const phone = "+8613900000005"
	sms, err := h.ReceiveInbound(ctx, inbound(domain.ChannelSMS, domain.IdentityPhone, phone, "s1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, ticket, err := h.OpenTicketFromInteraction(ctx, sms.InteractionID, domain.OpenTicket{Category: domain.CategoryInquiry, Subject: "宽带"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []domain.TicketCommand{domain.ResolveTicket{Resolution: "已处理"}, domain.ReopenTicket{Reason: "again"}} {
		if _, err := h.Ticket(ctx, ticket.ID, cmd, commands.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		// A checkpoint file at 0 makes it read everything (a first start
		// would begin at the head).
		path := filepath.Join(t.TempDir(), "cp")
		if err := os.WriteFile(path, []byte("0"), 0o600); err != nil {
			t.Fatal(err)
		}
		p := notify.NewPolicy(h, smsContact(phone), path, slog.New(slog.DiscardHandler))
		if err := p.RunUntil(ctx, head(t, store)); err != nil {
			t.Fatal(err)
		}
	}
	_, events := allEvents(t, store)
	threads := map[string][]string{}
	for _, e := range events {
		if m, ok := e.(domain.MessageSent); ok && m.AgentID == domain.NotifyAgent {
			threads[m.InteractionID] = append(threads[m.InteractionID], m.Text)
		}
	}
	if len(threads) != 2 {
		t.Fatalf("%d notification threads, want 2 (closed at resolution, another after the reopen): %v", len(threads), threads)
	}
	total := 0
	for _, texts := range threads {
		total += len(texts)
	}
	if total != 3 {
		t.Fatalf("%d notices, want opened, resolved, reopened: %v", total, threads)
	}
}

// TestNoticesToAnErasedCustomerAreDropped: notices of a customer erased
// before the policy reached them (the read side still giving their old
// number) are dropped as final, and the notices after them go out.
func TestNoticesToAnErasedCustomerAreDropped(t *testing.T) {
	ctx := t.Context()
	h, store, _ := commandstest.NewEncryptedHandler(t)
	phones := map[string]string{}
	openTicket := func(phone, msgID string) domain.Ticket {
		t.Helper()
		in, err := h.ReceiveInbound(ctx, inbound(domain.ChannelSMS, domain.IdentityPhone, phone, msgID), commands.Meta{Actor: "customer"})
		if err != nil {
			t.Fatal(err)
		}
		phones[in.CustomerID] = phone
		_, ticket, err := h.OpenTicketFromInteraction(ctx, in.InteractionID, domain.OpenTicket{Category: domain.CategoryFaultReport, Subject: "Broadband down"}, commands.Meta{Actor: "agent:a1"})
		if err != nil {
			t.Fatal(err)
		}
		return ticket
	}
	gone := openTicket("+8613900000001", "sms-1")
	if _, err := h.EraseCustomer(ctx, gone.CustomerID, "request 3", commands.Meta{Actor: "dpo"}); err != nil {
		t.Fatal(err)
	}
	kept := openTicket("+8613900000002", "sms-2")
	stale := commands.ContactFinderFunc(func(_ context.Context, customerID string) (commands.Contact, error) {
		return commands.Contact{Channel: domain.ChannelSMS, Identity: domain.Identity{Kind: domain.IdentityPhone, Value: phones[customerID]}}, nil
	})
	checkpoint := filepath.Join(t.TempDir(), "notify.checkpoint")
	if err := os.WriteFile(checkpoint, []byte("0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := notify.NewPolicy(h, stale, checkpoint, slog.New(slog.DiscardHandler))
	if err := policy.RunUntil(ctx, head(t, store)); err != nil {
		t.Fatalf("the policy stopped at the erased customer's notice: %v", err)
	}
	_, events := allEvents(t, store)
	told := map[string]int{}
	for _, e := range events {
		if m, ok := e.(domain.MessageSent); ok && m.AgentID == domain.NotifyAgent {
			it, err := h.LoadInteraction(ctx, m.InteractionID)
			if err != nil {
				t.Fatal(err)
			}
			told[it.CustomerID]++
		}
	}
	if told[gone.CustomerID] != 0 || told[kept.CustomerID] != 1 {
		t.Fatalf("notices: %d to the erased customer, %d to the next one; want 0 and 1", told[gone.CustomerID], told[kept.CustomerID])
	}
}
