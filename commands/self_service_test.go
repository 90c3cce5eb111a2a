package commands_test

import (
	"strings"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

func TestTicketForPhoneRevealsNothing(t *testing.T) {
	ctx := t.Context()
	h, _ := newHandler(t)
	sms, err := h.ReceiveInbound(ctx, inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000002", "s1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := h.ReceiveInbound(ctx, inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000003", "s2"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, ticket, err := h.OpenTicket(ctx, domain.OpenTicket{CustomerID: sms.CustomerID, Category: domain.CategoryInquiry, Subject: "x"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.TicketForPhone(ctx, strings.ToLower(ticket.Number), "13900000002") // national form
	if err != nil || got.ID != ticket.ID {
		t.Fatalf("owner: %+v, %v", got, err)
	}
	var msgs []string
	for _, tc := range []struct{ number, phone string }{
		{ticket.Number, "+8613900000003"}, // someone else's phone
		{"T9999999999", "+8613900000002"}, // unknown number
		{ticket.Number, "+8613900000777"}, // a phone nobody has
		{ticket.Number, "not a phone"},
		{"", ""},
	} {
		_, err := h.TicketForPhone(ctx, tc.number, tc.phone)
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("%+v: err %v, want ENOTFOUND", tc, err)
		}
		msgs = append(msgs, domain.ErrorMessage(err))
	}
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Fatalf("answers differ: %q vs %q", m, msgs[0])
		}
	}
	// After a merge the surviving customer's phone finds the ticket.
	if _, err := h.MergeCustomers(ctx, sms.CustomerID, other.CustomerID, "same person", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if got, err := h.TicketForPhone(ctx, ticket.Number, "+8613900000003"); err != nil || got.ID != ticket.ID {
		t.Fatalf("after merge: %+v, %v", got, err)
	}
}
