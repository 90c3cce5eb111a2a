package projections

import (
	"reflect"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestFirstMessageReadsTheSameInAnyStreamOrder feeds the events of a new
// customer's first messages in the order the commands used to write them
// (customer first) and in the orders the concurrent appends of a first
// message can commit them (the interaction first, the customer's
// registration last, even a group commit later): every read model answers
// the same.
func TestFirstMessageReadsTheSameInAnyStreamOrder(t *testing.T) {
	customer := registered("c1", "Ann Lee", phone1)
	started := []domain.Event{
		domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelSMS, Identity: phone1, At: at(1)},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "my parcel is late", At: at(1)},
		domain.InteractionQueued{InteractionID: "i1", Queue: "general", Priority: domain.PriorityNormal, At: at(1)},
	}
	later := []domain.Event{
		domain.MessageReceived{InteractionID: "i1", MessageID: "m2", Text: "hello?", At: at(2)},
		domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", Queue: "general", At: at(3)},
	}
	orders := map[string][][]domain.Event{
		"customer first":                {customer, started, later},
		"interaction first":             {started, customer, later},
		"customer a group commit later": {started, later, customer},
		"customer between the messages": {started[:2], customer, started[2:], later},
	}
	var want readsOfFirstMessage
	for _, name := range []string{"customer first", "interaction first", "customer a group commit later", "customer between the messages"} {
		h := newHarness(t)
		r := h.start(h.db)
		for _, events := range orders[name] {
			h.emit(r, events...)
		}
		got := readFirstMessage(t, h)
		if name == "customer first" {
			want = got
			if got.Customer.InteractionCount != 1 || len(got.Messages) != 2 || got.Interaction.CustomerID != "c1" || !got.Found || len(got.Timeline) == 0 {
				t.Fatalf("%s: the reference reads are incomplete: %+v", name, got)
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: reads differ from the customer-first order:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

// readsOfFirstMessage is what the desktop reads about the customer and
// the interaction, with the $all positions (which differ by order) left
// out.
type readsOfFirstMessage struct {
	Customer    Customer
	Found       bool
	OwnerID     string
	Interaction Interaction
	Messages    []string
	Timeline    []TimelineKind
	Listed      int
}

func readFirstMessage(t *testing.T, h *harness) readsOfFirstMessage {
	t.Helper()
	var out readsOfFirstMessage
	var err error
	if out.Customer, err = h.db.Customer(h.ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if out.OwnerID, out.Found, err = h.db.CustomerByIdentity(h.ctx, phone1); err != nil {
		t.Fatal(err)
	}
	if out.Interaction, err = h.db.Interaction(h.ctx, "i1"); err != nil {
		t.Fatal(err)
	}
	msgs, err := h.db.Messages(h.ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		out.Messages = append(out.Messages, m.Text)
	}
	tl, err := h.db.Timeline(h.ctx, "c1", 20, "")
	if err != nil {
		t.Fatal(err)
	}
	out.Timeline = kinds(tl.Entries)
	page, err := h.db.CustomerInteractions(h.ctx, "c1", 20, "")
	if err != nil {
		t.Fatal(err)
	}
	out.Listed = len(page.Interactions)
	return out
}
