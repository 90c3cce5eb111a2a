package eventstore_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

func goldenEvent() eventstore.RecordedEvent {
	return eventstore.RecordedEvent{
		ID:         uuid.MustParse("6f1c1c1e-8a4e-4b7e-9d55-3f2b1a0c9e01"),
		Stream:     "ticket-42",
		Version:    3,
		Position:   99,
		Type:       "TicketAssigned",
		Schema:     2,
		Data:       []byte(`{"agent":"a-7"}`),
		Metadata:   []byte(`{"actor":"supervisor-1"}`),
		RecordedAt: time.Date(2026, 3, 4, 5, 6, 7, 890000000, time.UTC),
	}
}

// TestComputeHashGolden pins the hash function: changing it would make
// every stored ledger fail verification.
func TestComputeHashGolden(t *testing.T) {
	const want = "3c726c87b2a564f3a5e8ae29a51691a5d4b0b8830366172ac22b97ac616fc20c"
	if got := eventstore.ComputeHash("abc123", goldenEvent()); got != want {
		t.Fatalf("ComputeHash = %s, want %s", got, want)
	}
}

func TestComputeHashCoversEveryFieldButPosition(t *testing.T) {
	base := goldenEvent()
	h := eventstore.ComputeHash("p", base)
	moved := base
	moved.Position = 1
	if eventstore.ComputeHash("p", moved) != h {
		t.Fatal("the hash depends on the position")
	}
	if eventstore.ComputeHash("q", base) == h {
		t.Fatal("the hash ignores prev_hash")
	}
	changes := map[string]func(e *eventstore.RecordedEvent){
		"id":       func(e *eventstore.RecordedEvent) { e.ID[15]++ },
		"stream":   func(e *eventstore.RecordedEvent) { e.Stream += "x" },
		"version":  func(e *eventstore.RecordedEvent) { e.Version++ },
		"type":     func(e *eventstore.RecordedEvent) { e.Type = "TicketClosed" },
		"schema":   func(e *eventstore.RecordedEvent) { e.Schema++ },
		"data":     func(e *eventstore.RecordedEvent) { e.Data = []byte(`{"agent":"a-8"}`) },
		"metadata": func(e *eventstore.RecordedEvent) { e.Metadata = []byte(`{}`) },
		"time":     func(e *eventstore.RecordedEvent) { e.RecordedAt = e.RecordedAt.Add(time.Nanosecond) },
		// Moving a byte across a field boundary changes the hash too.
		"boundary": func(e *eventstore.RecordedEvent) { e.Stream, e.Type = "ticket-4", "2TicketAssigned" },
	}
	for name, change := range changes {
		e := base
		e.Data = append([]byte(nil), base.Data...)
		change(&e)
		if eventstore.ComputeHash("p", e) == h {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
}
