package commands_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
)

func TestEraseCustomer(t *testing.T) {
	h, store, raw := commandstest.NewEncryptedHandler(t)
	ctx := t.Context()
	const (
		name  = "韩梅梅 Meimei"
		phone = "+8613912345678"
		mail  = "meimei@example.com"
		text  = "my parcel 4471 never arrived"
	)
	in, err := h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		DisplayName: name, ProviderMessageID: "m1", Text: text,
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.LinkIdentity(ctx, in.CustomerID, domain.Identity{Kind: domain.IdentityEmail, Value: mail}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.OpenTicket(ctx, domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryComplaint, Priority: domain.PriorityNormal,
		Subject: "parcel lost", Description: text, InteractionID: in.InteractionID}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	secrets := []string{name, "13912345678", mail, text, "parcel lost"}
	assertNoPlaintext := func(when string) {
		t.Helper()
		recs, _ := commandstest.AllEvents(t, raw)
		for _, r := range recs {
			for _, s := range secrets {
				if strings.Contains(string(r.Data)+string(r.Metadata)+r.Stream, s) {
					t.Errorf("%s: %s@%d holds %q in clear: %s", when, r.Stream, r.Version, s, r.Data)
				}
			}
		}
	}
	assertNoPlaintext("before the erasure")
	c, err := h.LoadCustomer(ctx, in.CustomerID)
	if err != nil || c.DisplayName != name || len(c.Identities) != 2 {
		t.Fatalf("customer read back as %+v, %v", c, err)
	}

	if _, err := h.EraseCustomer(ctx, in.CustomerID, "", commands.Meta{}); !isCode(err, domain.EINVALID) {
		t.Fatalf("erasure without a reason: %v, want invalid", err)
	}
	if _, err := h.EraseCustomer(ctx, in.CustomerID, "data subject request 17", commands.Meta{Actor: "dpo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.EraseCustomer(ctx, in.CustomerID, "data subject request 17", commands.Meta{Actor: "dpo"}); err != nil {
		t.Fatalf("erasing again: %v, want nothing to do", err)
	}
	assertNoPlaintext("after the erasure")

	recs, events := commandstest.AllEvents(t, store)
	for i, e := range events {
		data := string(recs[i].Data)
		for _, s := range secrets {
			if strings.Contains(data, s) {
				t.Errorf("after the erasure %T reads %q", e, s)
			}
		}
	}
	if last, ok := events[len(events)-1].(domain.CustomerErased); !ok || last.Identities != 2 || last.ErasedBy != "dpo" {
		t.Fatalf("last event %#v, want CustomerErased of 2 identities by dpo", events[len(events)-1])
	}
	c, err = h.LoadCustomer(ctx, in.CustomerID)
	if err != nil || !c.Erased || c.DisplayName != domain.ErasedText || len(c.Identities) != 0 {
		t.Fatalf("erased customer reads %+v, %v", c, err)
	}
	if _, err := h.UpdateCustomer(ctx, in.CustomerID, domain.RenameCustomer{DisplayName: "x"}, commands.Meta{}); !isCode(err, domain.ECONFLICT) {
		t.Fatalf("renaming an erased customer: %v, want conflict", err)
	}
	_, err = h.Interaction(ctx, in.InteractionID, commands.Meta{}, domain.ReceiveMessage{MessageID: "m9", Text: "hello again"})
	if !isCode(err, domain.ECONFLICT) || !strings.Contains(err.Error(), "erased") {
		t.Fatalf("a message on an erased customer's interaction: %v, want a conflict saying they were erased", err)
	}

	// The phone number is free again: the next message from it is a new
	// customer's.
	again, err := h.ReceiveInbound(ctx, commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		ProviderMessageID: "m2", Text: "hello",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if again.CustomerID == in.CustomerID {
		t.Fatal("the erased customer's phone number still resolves to them")
	}
}

func TestEraseCustomerOnALedgerInClear(t *testing.T) {
	h, _ := commandstest.NewHandler(t)
	in, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{
		Channel: domain.ChannelSMS, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613912345678"}, ProviderMessageID: "m1", Text: "hi",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.EraseCustomer(t.Context(), in.CustomerID, "request", commands.Meta{})
	if !isCode(err, domain.ECONFLICT) || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("erasure on a ledger in clear: %v, want a conflict that says to migrate", err)
	}
}

func isCode(err error, code string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == code
}
