package commands_test

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

// TestComplaintFiledOnlineShowsWhenTheCustomerCalls files a complaint from
// a web chat (category and priority from the keyword rules, the chat
// linked), hands it over to another department with a due date, and then
// has the same customer call from the phone number on their profile: the
// phone agent's view of the caller (the read side the desktop shows) lists
// the open complaint with its link and the other department's due date.
func TestComplaintFiledOnlineShowsWhenTheCustomerCalls(t *testing.T) {
	ctx := t.Context()
	h, store := newHandler(t)
	h.SetTicketRules(domain.DefaultTicketRules())
	chat, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-li", "chat-1"), commands.Meta{Actor: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.LinkIdentity(ctx, chat.CustomerID, domain.Identity{Kind: domain.IdentityPhone, Value: "13800138000"}, commands.Meta{Actor: "customer"}); err != nil {
		t.Fatal(err)
	}
	_, ticket, err := h.OpenTicketFromInteraction(ctx, chat.InteractionID, domain.OpenTicket{
		Subject: "我要投诉：宽带故障三天了，请尽快处理", OpenedBy: "customer:" + chat.CustomerID,
	}, commands.Meta{Actor: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	if ticket.Category != domain.CategoryComplaint || ticket.Priority != domain.PriorityUrgent || !slices.Equal(ticket.Interactions, []string{chat.InteractionID}) {
		t.Fatalf("ticket %+v: want an urgent complaint linked to the chat", ticket)
	}
	due := t0.Add(48 * time.Hour)
	if _, err := h.Ticket(ctx, ticket.ID, domain.AddCollaborator{Collaborator: domain.Collaborator{Department: "network operations", DueAt: due}}, commands.Meta{Actor: "agent:a1"}); err != nil {
		t.Fatal(err)
	}

	call, err := h.ReceiveInbound(ctx, commands.InboundMessage{Channel: domain.ChannelPhone, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+86 138 0013 8000"},
		ProviderMessageID: "call-1", ConversationKey: "sip-call-1"}, commands.Meta{Actor: "system:sip"})
	if err != nil {
		t.Fatal(err)
	}
	if call.CustomerID != chat.CustomerID {
		t.Fatalf("the caller resolved to %s, not to the customer who filed the complaint (%s)", call.CustomerID, chat.CustomerID)
	}

	db, err := projections.OpenReadDB(ctx, t.TempDir()+"/read.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runner := projections.NewRunner(store, db, slog.New(slog.DiscardHandler), projections.Standard()...)
	if err := runner.Rebuild(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The phone agent's desktop: the call, its customer, their open tickets.
	it, err := db.Interaction(ctx, call.InteractionID)
	if err != nil {
		t.Fatal(err)
	}
	if it.Channel != domain.ChannelPhone {
		t.Fatalf("the call is on %s", it.Channel)
	}
	page, err := db.Tickets(ctx, projections.TicketFilter{CustomerID: it.CustomerID, OpenOnly: true}, projections.TicketOrder{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tickets) != 1 || page.Tickets[0].ID != ticket.ID || page.Tickets[0].Category != domain.CategoryComplaint {
		t.Fatalf("the phone agent sees %+v, want the complaint filed on web chat", page.Tickets)
	}
	full, err := db.Ticket(ctx, ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(full.Interactions, []string{chat.InteractionID}) || len(full.Collaborators) != 1 ||
		full.Collaborators[0].Department != "network operations" || !full.Collaborators[0].DueAt.Equal(due) {
		t.Fatalf("ticket on the read side: interactions %v, collaborators %+v", full.Interactions, full.Collaborators)
	}
	// The hand-over's due date makes the ticket overdue once it passes.
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{due.Add(-time.Minute), 0}, {due.Add(time.Minute), 1}} {
		page, err := db.Tickets(ctx, projections.TicketFilter{OverdueAt: tc.at, OpenOnly: true}, projections.TicketOrder{}, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tickets) != tc.want {
			t.Fatalf("overdue at %v: %d tickets, want %d", tc.at, len(page.Tickets), tc.want)
		}
	}
}

func TestOpenTicketFromInteractionOfAnotherCustomerIsRefused(t *testing.T) {
	ctx := t.Context()
	h, _ := newHandler(t)
	chat, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-1", "m1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = h.OpenTicketFromInteraction(ctx, chat.InteractionID, domain.OpenTicket{CustomerID: "someone-else", Category: domain.CategoryInquiry, Subject: "x"}, commands.Meta{})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	if _, _, err := h.OpenTicketFromInteraction(ctx, "no-such-interaction", domain.OpenTicket{Subject: "x"}, commands.Meta{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("err = %v, want ENOTFOUND", err)
	}
	// Without rules, a ticket with no category is refused, as before.
	if _, _, err := h.OpenTicketFromInteraction(ctx, chat.InteractionID, domain.OpenTicket{Subject: "x"}, commands.Meta{}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
}

// TestOpenTicketNamesARealInteractionOfTheCustomer: a ticket may name the
// interaction it came from only if that interaction exists and is the
// ticket's customer's, directly or through a merge.
func TestOpenTicketNamesARealInteractionOfTheCustomer(t *testing.T) {
	ctx := t.Context()
	h, _ := newHandler(t)
	mine, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-1", "m1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-2", "m2"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	open := func(customer, interaction string) error {
		_, _, err := h.OpenTicket(ctx, domain.OpenTicket{CustomerID: customer, Category: domain.CategoryInquiry, Subject: "x", InteractionID: interaction}, commands.Meta{})
		return err
	}
	for _, tc := range []struct {
		name, customer, interaction string
		want                        string
	}{
		{"its own", mine.CustomerID, mine.InteractionID, ""},
		{"none", mine.CustomerID, "", ""},
		{"one that does not exist", mine.CustomerID, "no-such-interaction", domain.EINVALID},
		{"another customer's", mine.CustomerID, theirs.InteractionID, domain.EINVALID},
	} {
		if err := open(tc.customer, tc.interaction); domain.ErrorCode(err) != tc.want {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	// Once the other customer is merged into this one, their interaction
	// is this customer's too.
	if _, err := h.MergeCustomers(ctx, theirs.CustomerID, mine.CustomerID, "same person", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := open(mine.CustomerID, theirs.InteractionID); err != nil {
		t.Fatalf("after the merge: %v", err)
	}
}
