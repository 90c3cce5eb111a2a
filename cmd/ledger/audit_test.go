package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/treehead"
)

func TestAuditBundleVerifiesOfflineAndNamesAFlippedByte(t *testing.T) {
	dir := demoLedger(t)
	var customer string
	for _, e := range ledgerEvents(t, dir) {
		if e.Type == "TicketOpened" {
			ev, _ := domain.DecodeEvent(e.Type, e.Schema, e.Data)
			customer = ev.(domain.TicketOpened).CustomerID
			break
		}
	}
	file := filepath.Join(t.TempDir(), "bundle.json")
	out, err := ledger(t, "audit", "export", "--data", dir, "--customer", customer, "--out", file)
	if err != nil {
		t.Fatalf("audit export: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var b treehead.Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, e := range b.Events {
		kinds[strings.SplitN(e.Stream, "-", 2)[0]] = true
	}
	for _, want := range []string{"customer", "interaction", "ticket"} {
		if !kinds[want] {
			t.Fatalf("the customer's bundle has no %s stream (streams of kinds %v)", want, kinds)
		}
	}
	// Offline: another directory, the key the auditor was given.
	key := filepath.Join(t.TempDir(), "treehead.pub")
	pub, _ := os.ReadFile(filepath.Join(dir, treehead.VerifierKeyFile))
	if err := os.WriteFile(key, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ledger(t, "audit", "verify", "--key", key, file); err != nil || !strings.HasPrefix(got, "OK: ") {
		t.Fatalf("audit verify: %v\n%s", err, got)
	}

	// One byte of one event's data flipped: the bundle fails, naming it.
	victim := b.Events[len(b.Events)/2]
	data := []byte(victim.Data)
	i := strings.IndexAny(victim.Data, "abcdefghijklmnopqrstuvwxyz")
	data[i] ^= 0x01
	flipped := strings.Replace(string(raw), jsonString(t, victim.Data), jsonString(t, string(data)), 1)
	if flipped == string(raw) {
		t.Fatal("the test did not flip a byte")
	}
	if err := os.WriteFile(file, []byte(flipped), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ledger(t, "audit", "verify", "--key", key, file)
	if exitCode(err) != 1 || !strings.Contains(got, "event "+victim.ID.String()) {
		t.Fatalf("a flipped byte: exit %d, want 1 naming event %s\n%s", exitCode(err), victim.ID, got)
	}
}

func TestAuditBundleOfAStreamInATimeWindow(t *testing.T) {
	dir := demoLedger(t)
	events := ledgerEvents(t, dir)
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ticket := firstStream(t, store, "ticket-")
	store.Close()
	var inStream []int
	for i, e := range events {
		if e.Stream == ticket {
			inStream = append(inStream, i)
		}
	}
	from := events[inStream[1]].RecordedAt
	file := filepath.Join(t.TempDir(), "bundle.json")
	if out, err := ledger(t, "audit", "export", "--data", dir, "--stream", ticket, "--from", from.UTC().Format("2006-01-02T15:04:05Z07:00"), "--out", file); err != nil {
		t.Fatalf("audit export: %v\n%s", err, out)
	}
	got, err := ledger(t, "audit", "verify", file)
	if err != nil || !strings.Contains(got, "stream "+ticket) {
		t.Fatalf("audit verify: %v\n%s", err, got)
	}
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
