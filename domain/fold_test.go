package domain_test

import (
	"reflect"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestFoldStream(t *testing.T) {
	customer := events(domain.CustomerRegistered{CustomerID: "c1", Tier: domain.TierStandard, At: now}, domain.IdentityLinked{CustomerID: "c1", Identity: phone, At: now})
	interaction := events(domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelSMS, Identity: phone, At: now},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "hi", At: now})
	ticket := events(domain.TicketOpened{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Priority: domain.PriorityNormal, Subject: "s", At: now})
	agent := events(domain.AgentRegistered{AgentID: "a1", Name: "n", At: now})
	reservation := events(domain.IdentityReserved{Kind: domain.IdentityPhone, CustomerID: "c1", At: now})
	number := events(domain.TicketNumberReserved{Number: "T-1", TicketID: "t1", At: now})
	conversation := events(domain.ConversationInteractionOpened{Channel: domain.ChannelSMS, InteractionID: "i1", At: now})

	cases := []struct {
		stream string
		events []domain.Event
		want   any
	}{
		{domain.CustomerStream("c1"), customer, foldAll(domain.Customer{ID: "c1"}, domain.EvolveCustomer, customer)},
		{domain.InteractionStream("i1"), interaction, foldAll(domain.Interaction{ID: "i1"}, domain.EvolveInteraction, interaction)},
		{domain.TicketStream("t1"), ticket, foldAll(domain.Ticket{ID: "t1"}, domain.EvolveTicket, ticket)},
		{domain.AgentStream("a1"), agent, foldAll(domain.Agent{ID: "a1"}, domain.EvolveAgent, agent)},
		{domain.IdentityStream(phone), reservation, foldAll(domain.IdentityReservation{}, domain.EvolveReservation, reservation)},
		{domain.TicketNumberStream("T-1"), number, foldAll(domain.TicketNumber{}, domain.EvolveTicketNumber, number)},
		{domain.ConversationStream(domain.ChannelSMS, "+8613800138000"), conversation, foldAll(domain.Conversation{}, domain.EvolveConversation, conversation)},
		// An empty prefix folds to the aggregate's starting state.
		{domain.TicketStream("t1"), nil, domain.Ticket{ID: "t1"}},
		// The id after the category may itself contain dashes.
		{domain.CustomerStream("c-1-x"), nil, domain.Customer{ID: "c-1-x"}},
	}
	for _, tc := range cases {
		got, err := domain.FoldStream(tc.stream, tc.events)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FoldStream(%s) = %#v, %v; want %#v", tc.stream, got, err, tc.want)
		}
	}
	for _, stream := range []string{"", "orders-1", "Customer-c1"} {
		if got, err := domain.FoldStream(stream, customer); err == nil {
			t.Errorf("FoldStream(%q) = %#v, want an error", stream, got)
		}
	}
}
