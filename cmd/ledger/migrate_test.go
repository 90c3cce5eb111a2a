package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

// serveESDB starts `ledger serve` on a fresh data directory with the
// EventStoreDB protocol endpoint on a free loopback port and returns its
// connection string.
func serveESDB(t *testing.T) string {
	t.Helper()
	endpoint := &esdbComponent{listen: "127.0.0.1:0"}
	srv, err := startServer(t.Context(), serveConfig{data: t.TempDir(), addr: "127.0.0.1:0"}, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(5 * time.Second) })
	return "esdb://" + endpoint.addr + "?tls=false"
}

func TestMigrationRoundTripThroughTheProtocolEndpoint(t *testing.T) {
	original := demoLedger(t)
	url := serveESDB(t)
	back := t.TempDir()

	out, err := ledger(t, "migrate", "--from", original, "--to", url, "--quiet")
	if err != nil || !strings.HasPrefix(out, "OK: copied ") {
		t.Fatalf("migrate to the endpoint: %v\n%s", err, out)
	}
	out, err = ledger(t, "migrate", "--from", original, "--to", url, "--quiet")
	if err != nil || !strings.HasPrefix(out, "OK: copied 0 events") {
		t.Fatalf("migrating again should copy nothing: %v\n%s", err, out)
	}
	if out, err := ledger(t, "verify", "--store", url, "--quiet"); err != nil || !strings.HasPrefix(out, "OK") {
		t.Fatalf("verify through the endpoint: %v\n%s", err, out)
	}
	if out, err := ledger(t, "migrate", "--from", url, "--to", back, "--quiet"); err != nil {
		t.Fatalf("migrate back: %v\n%s", err, out)
	}
	if out, err := ledger(t, "verify", "--data", back, "--quiet"); err != nil || !strings.HasPrefix(out, "OK") {
		t.Fatalf("verify the round trip: %v\n%s", err, out)
	}
	want, got := allEvents(t, original), allEvents(t, back)
	if len(got) != len(want) || len(want) < 100 {
		t.Fatalf("round trip holds %d events, the original %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.ID != w.ID || g.Stream != w.Stream || g.Version != w.Version || g.Position != w.Position || g.Type != w.Type ||
			g.Schema != w.Schema || !bytes.Equal(g.Data, w.Data) || !bytes.Equal(g.Metadata, w.Metadata) ||
			!g.RecordedAt.Equal(w.RecordedAt) || g.PrevHash != w.PrevHash || g.Hash != w.Hash {
			t.Fatalf("event %d came back as %+v, want %+v", i+1, g, w)
		}
	}
}

func TestMigrationResumesAfterWhatTheDestinationHas(t *testing.T) {
	original := demoLedger(t)
	events := allEvents(t, original)
	partial := t.TempDir()
	dst, err := openLedger(t.Context(), "sqlite", partial, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.(eventstore.Importer).Import(t.Context(), events[:100]); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	out, err := ledger(t, "migrate", "--from", original, "--to", partial, "--quiet")
	want := "OK: copied " + itoa(len(events)-100) + " events (100 already there)"
	if err != nil || !strings.HasPrefix(out, want) {
		t.Fatalf("resumed migration: %v\n%s\nwant %q", err, out, want)
	}
	// A destination holding another ledger is refused, not merged into.
	other := demoLedger(t)
	if out, err := ledger(t, "migrate", "--from", other, "--to", partial, "--quiet"); err == nil || !strings.Contains(err.Error(), "not this ledger's") {
		t.Fatalf("migrating into another ledger: %v\n%s", err, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// allEvents reads every event of the ledger in dir.
func allEvents(t *testing.T, dir string) []eventstore.RecordedEvent {
	t.Helper()
	s, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var all []eventstore.RecordedEvent
	for {
		page, err := s.ReadAll(t.Context(), uint64(len(all)), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
	}
}

// TestServeOnTheEventStoreDBStore runs a second `ledger serve` on the
// first one's ledger through the protocol endpoint: its projections
// follow the shared ledger and build the same read models. A shared
// ledger is kept in clear (README, "Erasure"): one copied from an
// encrypted ledger is refused by a node without its data keys.
func TestServeOnTheEventStoreDBStore(t *testing.T) {
	sealed := serveESDB(t)
	if out, err := ledger(t, "migrate", "--from", demoLedger(t), "--to", sealed, "--quiet"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if node, err := startServer(t.Context(), serveConfig{data: t.TempDir(), addr: "127.0.0.1:0", store: sealed}); err == nil || !strings.Contains(err.Error(), dataKeysFile) {
		if err == nil {
			node.shutdown(5 * time.Second)
		}
		t.Fatalf("a node without keys on a shared ledger of sealed data: %v, want a refusal naming %s", err, dataKeysFile)
	}

	original := t.TempDir()
	if out, err := ledger(t, "demo", "--data", original, "--encrypt=false", "--customers", "25", "--interactions", "80", "--seed", "7", "--quiet"); err != nil {
		t.Fatalf("demo in clear: %v\n%s", err, out)
	}
	url := serveESDB(t)
	if out, err := ledger(t, "migrate", "--from", original, "--to", url, "--quiet"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	events := allEvents(t, original)
	node, err := startServer(t.Context(), serveConfig{data: t.TempDir(), addr: "127.0.0.1:0", store: url})
	if err != nil {
		t.Fatal(err)
	}
	defer node.shutdown(5 * time.Second)
	deadline := time.Now().Add(time.Minute)
	for !node.ready() {
		if time.Now().After(deadline) {
			t.Fatalf("projections at %d of %d after a minute", node.runner.Position(), len(events))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := node.runner.Position(); got != events[len(events)-1].Position {
		t.Fatalf("projections at position %d, want %d", got, events[len(events)-1].Position)
	}
	page, err := node.readDB.Customers(t.Context(), "", 100, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Customers) < 20 {
		t.Fatalf("the node on the shared store sees %d customers, want the demo's 25 less merges", len(page.Customers))
	}
}
