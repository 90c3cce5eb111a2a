package sla_test

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/policies/sla"
)

// interactionSlaConfig is testSlaConfig with response targets for chats.
var interactionSlaConfig = sla.Config{SupervisorQueue: "supervisors", Policies: testSlaConfig.Policies,
	InteractionPolicies: []domain.SlaPolicy{{Name: "chat", Channel: domain.ChannelWebchat, WarnShare: 0.5,
		Targets: domain.SlaTargets{FirstResponse: 10 * time.Minute, NextResponse: 20 * time.Minute}}}}

// TestInteractionSlaClocks runs a chat's response clocks through the
// first response, two next-response cycles, a breach that escalates
// nothing, a restart that appends nothing, and the close.
func TestInteractionSlaClocks(t *testing.T) {
	ctx := t.Context()
	store, h, clock := clockedLedger(t)
	statePath := filepath.Join(t.TempDir(), "sla.db")
	agent := commands.Meta{Actor: "agent:a1"}
	customer := commands.Meta{Actor: "customer"}

	newRunner := func() *sla.Runner {
		t.Helper()
		r, err := sla.NewRunner(ctx, h, interactionSlaConfig, statePath, slog.New(slog.DiscardHandler), sla.WithHistory())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := newRunner()
	follow := func() {
		t.Helper()
		if err := r.Follow(ctx, head(t, store)); err != nil {
			t.Fatal(err)
		}
	}
	at := func(d time.Duration) { clock.Set(t0.Add(d)) }
	clocks := func(id string) domain.SlaClocks {
		t.Helper()
		s, err := h.LoadSla(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do := func(meta commands.Meta, id string, cmd domain.InteractionCommand) {
		t.Helper()
		if _, err := h.Interaction(ctx, id, meta, cmd); err != nil {
			t.Fatal(err)
		}
	}

	in, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-x", "msg-x"), customer)
	if err != nil {
		t.Fatal(err)
	}
	chat := in.InteractionID
	// The inbound chat is queued at once: the customer waits from t0.
	follow()
	s := clocks(chat)
	first, ok := s.Clocks[domain.SlaFirstResponse]
	if !s.ForInteraction() || !ok || !first.Running() || first.Policy != "chat" || !first.Deadline.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("queued chat's clocks %+v; want a first-response clock due at 10 min", s)
	}
	if _, ok := s.Clocks[domain.SlaResolution]; ok {
		t.Fatal("an interaction got a resolution clock")
	}
	// Assignment after queueing starts nothing new.
	at(2 * time.Minute)
	do(agent, chat, domain.AssignInteraction{AgentID: "a1"})
	// A notification is no response.
	do(commands.Meta{Actor: "system:notify"}, chat, domain.SendMessage{MessageID: "auto", AgentID: "system:notify", Text: "we got your message"})
	follow()
	if c := clocks(chat).Clocks[domain.SlaFirstResponse]; c.Fulfilled || c.Cycle != 0 {
		t.Fatalf("first response after assignment and a notification: %+v", c)
	}

	at(3 * time.Minute)
	do(agent, chat, domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "hello"})
	follow()
	if c := clocks(chat).Clocks[domain.SlaFirstResponse]; !c.Fulfilled || c.Breached || c.Consumed != 3*time.Minute {
		t.Fatalf("first response after the agent's reply: %+v", c)
	}
	// Every customer message after a reply starts a next-response cycle.
	for cycle, minute := range []time.Duration{5, 8} {
		at(minute * time.Minute)
		do(customer, chat, domain.ReceiveMessage{MessageID: "m" + string(rune('a'+cycle)), Text: "and?"})
		follow()
		next := clocks(chat).Clocks[domain.SlaNextResponse]
		if !next.Running() || next.Cycle != cycle || !next.Deadline.Equal(t0.Add(minute*time.Minute+20*time.Minute)) {
			t.Fatalf("next response after customer message %d: %+v", cycle, next)
		}
		if cycle == 0 {
			at(6 * time.Minute)
			do(agent, chat, domain.SendMessage{MessageID: "r2", AgentID: "a1", Text: "here"})
			follow()
			if c := clocks(chat).Clocks[domain.SlaNextResponse]; !c.Fulfilled {
				t.Fatalf("next response after the reply: %+v", c)
			}
		}
	}

	// Cycle 1 runs from 8 min: warning at 18, breach at 28. (The runner
	// learns the due time from the SlaStarted it appended.)
	follow()
	at(28 * time.Minute)
	if n, err := r.FireDue(ctx); err != nil || n != 2 {
		t.Fatalf("FireDue at 28 min = %d, %v; want the warning and the breach", n, err)
	}
	follow()
	if c := clocks(chat).Clocks[domain.SlaNextResponse]; !c.Breached || !c.Warned {
		t.Fatalf("next response after its deadline: %+v", c)
	}

	// A restart from the saved state appends nothing and fires nothing.
	before := head(t, store)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r = newRunner()
	defer r.Close()
	follow()
	if n, err := r.FireDue(ctx); err != nil || n != 0 || head(t, store) != before {
		t.Fatalf("after a restart: fired %d (%v), head %d, was %d", n, err, head(t, store), before)
	}

	at(30 * time.Minute)
	do(agent, chat, domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1"})
	follow()
	for m, c := range clocks(chat).Clocks {
		if !c.Fulfilled {
			t.Fatalf("%s still runs after the close: %+v", m, c)
		}
	}
	_, events := allEvents(t, store)
	if n := countType[domain.TicketEscalated](events); n != 0 {
		t.Fatalf("%d escalations of an interaction's breach", n)
	}
	breaches := 0
	for _, e := range events {
		if b, ok := e.(domain.SlaBreached); ok {
			if b.InteractionID != chat || b.TicketID != "" {
				t.Fatalf("breach %+v; want chat %s's", b, chat)
			}
			breaches++
		}
	}
	if breaches != 1 {
		t.Fatalf("%d breaches recorded, want 1", breaches)
	}
}

// TestInteractionSlaCallAndAbandon: an answered call fulfils its first
// response; an abandoned chat fulfils its clocks.
func TestInteractionSlaCallAndAbandon(t *testing.T) {
	ctx := t.Context()
	h, store := newHandler(t)
	cfg := interactionSlaConfig
	cfg.InteractionPolicies = append(cfg.InteractionPolicies, domain.SlaPolicy{Name: "phone", Channel: domain.ChannelPhone,
		Targets: domain.SlaTargets{FirstResponse: time.Minute}})
	r, err := sla.NewRunner(ctx, h, cfg, "", slog.New(slog.DiscardHandler), sla.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	meta := commands.Meta{Actor: "agent:a1"}
	call, err := h.ReceiveInbound(ctx, inbound(domain.ChannelPhone, domain.IdentityPhone, "+8613800000001", "call-1"), meta)
	if err != nil {
		t.Fatal(err)
	}
	chat, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-y", "msg-y"), meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{call.InteractionID, chat.InteractionID} {
		if _, err := h.Interaction(ctx, id, meta, domain.AssignInteraction{AgentID: "a1"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Interaction(ctx, call.InteractionID, meta, domain.AnswerCall{AgentID: "a1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Interaction(ctx, chat.InteractionID, meta, domain.AbandonInteraction{Reason: "left"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Follow(ctx, head(t, store)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{call.InteractionID, chat.InteractionID} {
		s, err := h.LoadSla(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := s.Clocks[domain.SlaFirstResponse]; !ok || !c.Fulfilled {
			t.Fatalf("interaction %s: first response %+v (started %v); want fulfilled", id, c, ok)
		}
	}
}

// TestInteractionSlaStartsAtDirectAssignment: an interaction given
// straight to an agent, never queued (an agent's outbound chat, a
// supervisor's hand-off), starts waiting for its first response at the
// assignment; queueing it later (after a transfer) does not restart it.
func TestInteractionSlaStartsAtDirectAssignment(t *testing.T) {
	ctx := t.Context()
	store, h, clock := clockedLedger(t)
	r, err := sla.NewRunner(ctx, h, interactionSlaConfig, "", slog.New(slog.DiscardHandler), sla.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	meta := commands.Meta{Actor: "agent:a1"}
	const id = "0193a5b0-0000-7000-8000-0000000000d1"
	apply := func(d time.Duration, cmd domain.InteractionCommand) {
		t.Helper()
		clock.Set(t0.Add(d))
		if _, err := h.Interaction(ctx, id, meta, cmd); err != nil {
			t.Fatal(err)
		}
		if err := r.Follow(ctx, head(t, store)); err != nil {
			t.Fatal(err)
		}
	}
	apply(0, domain.StartInteraction{InteractionID: id, CustomerID: "c1", Channel: domain.ChannelWebchat,
		Identity: domain.Identity{Kind: domain.IdentityAccount, Value: "acct-d"}})
	if s, err := h.LoadSla(ctx, id); err != nil || len(s.Clocks) != 0 {
		t.Fatalf("clocks before anyone waits: %+v, %v", s.Clocks, err)
	}
	apply(5*time.Minute, domain.AssignInteraction{AgentID: "a1"})
	s, err := h.LoadSla(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Clocks[domain.SlaFirstResponse]
	if !first.Running() || !first.RunningSince.Equal(t0.Add(5*time.Minute)) || !first.Deadline.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("first response after direct assignment: %+v", first)
	}
	apply(6*time.Minute, domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "hi"})
	apply(7*time.Minute, domain.TransferInteraction{ToQueue: "billing"})
	apply(8*time.Minute, domain.QueueInteraction{Queue: "general"})
	if _, events := allEvents(t, store); countType[domain.InteractionQueued](events) == 0 {
		t.Fatal("the interaction was never queued again: the test proves nothing")
	}
	s, err = h.LoadSla(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if first := s.Clocks[domain.SlaFirstResponse]; !first.Fulfilled || first.Cycle != 0 {
		t.Fatalf("first response after a transfer to a queue: %+v; want cycle 0, fulfilled", first)
	}
}
