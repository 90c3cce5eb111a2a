package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// TestMigrateEncryptRenamesEveryIdentityStream: the streams TestMigrateEncrypt
// leaves out are renamed too, and work in the copy: a WeChat conversation
// keyed by the sender, a follow, an unfollow with no follow before it (the
// only event of its stream), an identity linked then unlinked, and a merge
// undone (CustomerAbsorbed, CustomerReleased).
func TestMigrateEncryptRenamesEveryIdentityStream(t *testing.T) {
	from, to, raw, h := clearLedger(t)
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613933334444"}
	openid := domain.Identity{Kind: domain.IdentityWeChat, Value: "oWx-follower-7731"}
	gone := domain.Identity{Kind: domain.IdentityWeChat, Value: "oWx-unfollower-5512"}
	typo := domain.Identity{Kind: domain.IdentityEmail, Value: "zhou.typo@example.org"}
	receive := func(h *commands.Handler, ch domain.Channel, from domain.Identity, id, text string) commands.InboundResult {
		t.Helper()
		in, err := h.ReceiveInbound(t.Context(), commands.InboundMessage{Channel: ch, From: from, ProviderMessageID: id, Text: text}, commands.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	must := func(_ commands.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a := receive(h, domain.ChannelSMS, phone, "s1", "router reboots nightly")
	b := receive(h, domain.ChannelWeChat, openid, "w1", "refund for order 5531")
	must(h.ChangeSubscription(t.Context(), domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: openid, CustomerID: b.CustomerID, Subscribed: true}, commands.Meta{}))
	must(h.ChangeSubscription(t.Context(), domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: gone, CustomerID: a.CustomerID}, commands.Meta{}))
	must(h.LinkIdentity(t.Context(), a.CustomerID, typo, commands.Meta{}))
	must(h.UnlinkIdentity(t.Context(), a.CustomerID, typo, "typo", commands.Meta{}))
	must(h.MergeCustomers(t.Context(), b.CustomerID, a.CustomerID, "looked alike", commands.Meta{}))
	must(h.UndoMerge(t.Context(), b.CustomerID, "not the same person", commands.Meta{}))
	// A link given back: the reservation was made, the customer refused
	// the link, and the reservation was released. No event names the
	// identity, so its stream cannot be renamed.
	orphan := domain.StreamNames{}.Identity(domain.Identity{Kind: domain.IdentityEmail, Value: "given.back@example.org"})
	var given []eventstore.EventData
	for _, e := range []domain.Event{
		domain.IdentityReserved{Kind: domain.IdentityEmail, CustomerID: a.CustomerID, At: commandstest.T0},
		domain.IdentityReleased{Kind: domain.IdentityEmail, CustomerID: a.CustomerID, At: commandstest.T0},
	} {
		typ, schema, data, err := domain.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		given = append(given, eventstore.EventData{ID: uuid.New(), Type: typ, Schema: schema, Data: data, Metadata: []byte("{}")})
	}
	if _, err := raw.Append(t.Context(), orphan, eventstore.NoStream, given); err != nil {
		t.Fatal(err)
	}
	must(h.LinkIdentity(t.Context(), a.CustomerID, domain.Identity{Kind: domain.IdentityEmail, Value: "after.orphan@example.org"}, commands.Meta{}))
	raw.Close()

	out, err := ledger(t, "migrate", "--encrypt", "--from", from, "--to", to, "--quiet")
	if err != nil || !strings.HasPrefix(out, "OK:") {
		t.Fatalf("migrate --encrypt: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Left out: 2 events of 1 identity reservations") {
		t.Errorf("the summary does not report the reservation left out:\n%s", out)
	}
	mapped, err := os.ReadFile(filepath.Join(to, migrationMapFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(mapped), `"oldStream":"`+orphan+`"`); n != 2 || strings.Count(string(mapped), `"leftOut":`) != 2 {
		t.Errorf("the map lists %d events of the reservation left out, want 2 marked leftOut", n)
	}
	files := readAllFiles(t, to)
	for _, s := range []string{"13933334444", "oWx-follower", "oWx-unfollower", "zhou.typo", "router reboots", "refund for order"} {
		if bytes.Contains(files, []byte(s)) {
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
	defer store.Close()
	c := commands.NewHandler(store)
	// The conversation keyed by the sender carries on.
	if again := receive(c, domain.ChannelWeChat, openid, "w2", "any news?"); again.CustomerID != b.CustomerID || again.InteractionID != b.InteractionID {
		t.Errorf("in the copy the openid resolves to %s in %s, want %s in %s", again.CustomerID, again.InteractionID, b.CustomerID, b.InteractionID)
	}
	// Both subscription streams are found: repeating their state is a no-op.
	for _, s := range []domain.ChangeSubscription{
		{Channel: domain.ChannelWeChat, Identity: openid, CustomerID: b.CustomerID, Subscribed: true},
		{Channel: domain.ChannelWeChat, Identity: gone, CustomerID: a.CustomerID},
	} {
		res, err := c.ChangeSubscription(t.Context(), s, commands.Meta{})
		if err != nil || len(res.Events) != 0 {
			t.Errorf("repeating %+v in the copy wrote %v, %v (its renamed stream is not found)", s, res.Events, err)
		}
	}
	// The undone merge gave the openid back to b: a cannot take it, and
	// the unlinked address is free again.
	if _, err := c.LinkIdentity(t.Context(), a.CustomerID, openid, commands.Meta{}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("linking b's openid to a in the copy: %v, want a conflict", err)
	}
	must(c.LinkIdentity(t.Context(), a.CustomerID, typo, commands.Meta{}))
	must(c.EraseCustomer(t.Context(), b.CustomerID, "DSR-12", commands.Meta{}))
	if _, err := c.LinkIdentity(t.Context(), a.CustomerID, openid, commands.Meta{}); err != nil {
		t.Errorf("the erased customer's openid is not free in the copy: %v", err)
	}
	var ee *exitError
	if _, err := ledger(t, "migrate", "--encrypt", "--from", from, "--to", to, "--quiet"); !errors.As(err, &ee) {
		t.Errorf("a second copy into %s: %v, want a refusal", to, err)
	}
}
