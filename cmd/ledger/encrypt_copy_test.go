package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// TestMigrateEncrypt: a ledger kept in clear (two customers on SMS and
// email, a ticket, a merge) is copied encrypted; the copy holds none of
// their personal data in clear, verifies, reads as the original, still
// resolves the same phone number to the same customer (renamed identity
// streams), and can erase; a second copy into it is refused.
func TestMigrateEncrypt(t *testing.T) {
	from, to, raw, h := clearLedger(t)
	sms := func(id, phone, text string) commands.InboundResult {
		t.Helper()
		in, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelSMS,
			From: domain.Identity{Kind: domain.IdentityPhone, Value: phone}, ProviderMessageID: id, Text: text}, commands.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	a := sms("m1", "+8613911112222", "my modem blinks red")
	mail, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelEmail,
		From: domain.Identity{Kind: domain.IdentityEmail, Value: "lin.tao@example.com"}, DisplayName: "Lin Tao",
		ProviderMessageID: "<e1@x>", ConversationKey: "<e1@x>", Subject: "Invoice 88", Text: "wrong invoice amount"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.OpenTicket(t.Context(), domain.OpenTicket{CustomerID: a.CustomerID, Category: domain.CategoryComplaint,
		Priority: domain.PriorityNormal, Subject: "modem blinks red"}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.RecordBusinessFact(t.Context(), domain.Identity{Kind: domain.IdentityPhone, Value: "+8613911112222"},
		domain.RecordBusinessFact{Kind: domain.FactDevice, Source: "mdm", ExternalID: "D-1", Version: 1,
			Attributes: map[string]string{"model": "Modem Zeta 4471"}}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.MergeCustomers(t.Context(), mail.CustomerID, a.CustomerID, "same person", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	out, err := ledger(t, "migrate", "--encrypt", "--from", from, "--to", to, "--quiet")
	if err != nil || !strings.HasPrefix(out, "OK:") {
		t.Fatalf("migrate --encrypt: %v\n%s", err, out)
	}
	events := readAllFiles(t, filepath.Join(to)) // the ledger, keys and map
	for _, s := range []string{"13911112222", "lin.tao@example.com", "Lin Tao", "modem blinks", "wrong invoice", "Invoice 88", "Modem Zeta 4471"} {
		if bytes.Contains(events, []byte(s)) {
			t.Errorf("the encrypted copy holds %q in clear", s)
		}
	}
	if out, err := ledger(t, "verify", "--data", to); err != nil {
		t.Fatalf("verify the copy: %v\n%s", err, out)
	}

	store, err := openSealedToWrite(t.Context(), keySource{dir: to})
	if err != nil {
		t.Fatal(err)
	}
	copied := commands.NewHandler(store)
	if !copied.Encrypted() {
		t.Fatal("a handler on the copy does not seal")
	}
	again, err := copied.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelSMS,
		From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613911112222"}, ProviderMessageID: "m2", Text: "still red"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if again.CustomerID != a.CustomerID || again.InteractionID != a.InteractionID {
		t.Fatalf("in the copy the number resolves to %s in %s, want %s in %s (the renamed streams must be found)", again.CustomerID, again.InteractionID, a.CustomerID, a.InteractionID)
	}
	// The email thread begun before the migration carries on: a reply
	// lands in its interaction, although the conversation kept the name
	// it had in clear.
	if !migratedToEncryption(to) {
		t.Fatalf("the copy in %s is not known as migrated", to)
	}
	threaded := commands.NewHandler(store, commands.WithMigratedConversations())
	reply, err := threaded.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelEmail,
		From:              domain.Identity{Kind: domain.IdentityEmail, Value: "lin.tao@example.com"},
		ProviderMessageID: "<e2@x>", ConversationKey: "<e1@x>", Subject: "Re: Invoice 88", Text: "any news?"}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if reply.InteractionID != mail.InteractionID || reply.NewInteraction {
		t.Fatalf("a reply on the thread begun before the migration landed in %s (new: %v), want %s", reply.InteractionID, reply.NewInteraction, mail.InteractionID)
	}
	// A thread begun after it is named by the HMAC, as on any encrypted ledger.
	fresh, err := threaded.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: domain.ChannelEmail,
		From:              domain.Identity{Kind: domain.IdentityEmail, Value: "lin.tao@example.com"},
		ProviderMessageID: "<e3@x>", ConversationKey: "<e3@x>", Subject: "New order", Text: "hello"}, commands.Meta{})
	if err != nil || !fresh.NewInteraction {
		t.Fatalf("a new thread: %+v, %v", fresh, err)
	}
	if events, err := store.ReadStream(t.Context(), threaded.StreamNames().Conversation(domain.ChannelEmail, "<e3@x>"), 0, 10); err != nil || len(events) == 0 {
		t.Errorf("the thread begun after the migration is not under its HMAC name: %d events, %v", len(events), err)
	}
	c, err := copied.LoadCustomer(t.Context(), a.CustomerID)
	if err != nil || len(c.Identities) != 2 {
		t.Fatalf("the merged customer reads %+v, %v", c, err)
	}
	if _, err := copied.EraseCustomer(t.Context(), a.CustomerID, "DSR-9", commands.Meta{}); err != nil {
		t.Fatalf("erase on the copy: %v", err)
	}
	store.Close()

	if out, err := ledger(t, "migrate", "--encrypt", "--from", from, "--to", to, "--quiet"); exitCode(err) != 2 {
		t.Fatalf("a second copy into the same directory exited %d: %v\n%s", exitCode(err), err, out)
	}
	if out, err := ledger(t, "migrate", "--encrypt", "--from", to, "--to", t.TempDir(), "--quiet"); exitCode(err) != 2 {
		t.Fatalf("copying an encrypted ledger exited %d: %v\n%s", exitCode(err), err, out)
	}
}

// clearLedger opens a new ledger kept in clear in a directory of its own,
// with a handler over it, and names an empty directory for its encrypted
// copy.
func clearLedger(t *testing.T) (from, to string, raw eventstore.Store, h *commands.Handler) {
	t.Helper()
	from, to = t.TempDir(), t.TempDir()
	raw, err := openStore(t.Context(), from, nil)
	if err != nil {
		t.Fatal(err)
	}
	return from, to, raw, commands.NewHandler(raw)
}
