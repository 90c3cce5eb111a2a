package domain_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// limitedInteraction folds a started interaction with the customer's
// messages, each of text, one minute apart ending at now.
func limitedInteraction(t *testing.T, texts ...string) domain.Interaction {
	t.Helper()
	start := now.Add(-time.Duration(len(texts)) * time.Minute)
	i := domain.EvolveInteraction(domain.Interaction{}, domain.InteractionStarted{
		InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelWebchat, At: start,
	})
	for n, text := range texts {
		i = domain.EvolveInteraction(i, domain.MessageReceived{
			InteractionID: "i1", MessageID: fmt.Sprint("m", n), Text: text, At: start.Add(time.Duration(n) * time.Minute),
		})
	}
	return i
}

func TestInteractionMessageCap(t *testing.T) {
	limits := domain.InteractionLimits{MaxMessages: 3}
	i := limitedInteraction(t, "a", "b")
	if events, err := domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "m2", Text: "c", Limits: limits}, now); err != nil || len(events) != 1 {
		t.Fatalf("3rd message = %v, %v; want recorded", events, err)
	}
	i = limitedInteraction(t, "a", "b", "c")
	_, err := domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "m3", Text: "d", Limits: limits}, now)
	var le *domain.InteractionLimitError
	if !errors.As(err, &le) || le.Limit != domain.LimitMessages || le.Max != 3 || domain.ErrorCode(err) != domain.ELIMITED {
		t.Fatalf("4th message = %v (code %q); want a message-cap refusal", err, domain.ErrorCode(err))
	}
	// A redelivery of a recorded message is still a no-op, not a refusal.
	if events, err := domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "m1", Text: "b", Limits: limits}, now); err != nil || len(events) != 0 {
		t.Fatalf("redelivery over the cap = %v, %v; want a no-op", events, err)
	}
	// Agents' replies are not capped.
	if _, err := domain.DecideInteraction(i, domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "hello"}, now); err != nil {
		t.Fatalf("agent reply over the cap: %v", err)
	}
	// Reported once.
	report := domain.ReportInteractionLimit{Limit: le.Limit, Max: le.Max}
	events, err := domain.DecideInteraction(i, report, now)
	want := domain.InteractionLimitReached{InteractionID: "i1", Limit: domain.LimitMessages, Max: 3, At: now}
	if err != nil || len(events) != 1 || events[0] != want {
		t.Fatalf("report = %v, %v; want %v", events, err, want)
	}
	i = domain.EvolveInteraction(i, events[0])
	if events, err := domain.DecideInteraction(i, report, now); err != nil || len(events) != 0 {
		t.Fatalf("second report = %v, %v; want a no-op", events, err)
	}
}

func TestInteractionBytesPerHourCap(t *testing.T) {
	limits := domain.InteractionLimits{MaxBytesPerHour: 10}
	i := limitedInteraction(t, "12345", "1234") // 9 bytes within the hour
	if _, err := domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "x", Text: "1", Limits: limits}, now); err != nil {
		t.Fatalf("10th byte refused: %v", err)
	}
	_, err := domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "x", Text: "12", Limits: limits}, now)
	var le *domain.InteractionLimitError
	if !errors.As(err, &le) || le.Limit != domain.LimitBytesPerHour || le.RetryAfter != 58*time.Minute {
		t.Fatalf("11th byte = %v (%+v); want a byte-cap refusal until the window (started 2 min ago) passes", err, le)
	}
	report := domain.ReportInteractionLimit{Limit: le.Limit, Max: le.Max}
	events, _ := domain.DecideInteraction(i, report, now)
	if len(events) != 1 {
		t.Fatalf("report = %v; want one event", events)
	}
	i = domain.EvolveInteraction(i, events[0])
	if events, _ := domain.DecideInteraction(i, report, now); len(events) != 0 {
		t.Fatalf("second report in the window = %v; want none", events)
	}
	// An hour later the window is new: the message passes.
	later := now.Add(time.Hour)
	events, err = domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "x", Text: "12", Limits: limits}, later)
	if err != nil || len(events) != 1 {
		t.Fatalf("message in the next hour = %v, %v; want recorded", events, err)
	}
	i = domain.EvolveInteraction(i, events[0])
	_, err = domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "y", Text: "123456789", Limits: limits}, later)
	if !errors.As(err, &le) {
		t.Fatalf("over the cap in the new window: %v", err)
	}
	if events, _ := domain.DecideInteraction(i, domain.ReportInteractionLimit{Limit: le.Limit, Max: le.Max}, later); len(events) != 1 {
		t.Fatalf("report in the new window = %v; want one event", events)
	}
	if _, err := domain.DecideInteraction(i, domain.ReportInteractionLimit{Limit: "NOPE"}, later); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("unknown limit = %v; want invalid", err)
	}
}
