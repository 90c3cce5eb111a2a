package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

// signedDemoLedger is a demo ledger with a signed tree head over all of it.
func signedDemoLedger(t *testing.T) string {
	t.Helper()
	dir := demoLedger(t)
	if out, err := ledger(t, "tree-head", "--data", dir); err != nil || !strings.Contains(out, "interactionledger.example/ledger") {
		t.Fatalf("tree-head: %v\n%s", err, out)
	}
	if out, err := ledger(t, "verify", "--data", dir, "--quiet"); err != nil || !strings.HasPrefix(out, "OK: ") || !strings.Contains(out, "OK: 1 signed tree heads") {
		t.Fatalf("verify with a head: %v\n%s", err, out)
	}
	return dir
}

// tamper runs SQL on the ledger file as someone with the file would, the
// immutability triggers dropped first.
func tamper(t *testing.T, dir string, statements ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, eventsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range append([]string{`DROP TRIGGER IF EXISTS events_no_update`, `DROP TRIGGER IF EXISTS events_no_delete`, `DROP TRIGGER IF EXISTS streams_no_delete`}, statements...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func ledgerEvents(t *testing.T, dir string) []eventstore.RecordedEvent {
	t.Helper()
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	events, err := store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// verifyFails runs verify, which must exit 1 with every want in its
// output.
func verifyFails(t *testing.T, dir string, want ...string) {
	t.Helper()
	out, err := ledger(t, "verify", "--data", dir, "--quiet")
	if exitCode(err) != 1 {
		t.Fatalf("verify exited %d (%v), want 1\n%s", exitCode(err), err, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Fatalf("verify does not say %q:\n%s", w, out)
		}
	}
}

func TestVerifyNamesTheLastEventOfAStreamRemovedAfterAHead(t *testing.T) {
	dir := signedDemoLedger(t)
	events := ledgerEvents(t, dir)
	last := events[len(events)-1] // the last event of its stream too
	tamper(t, dir, fmt.Sprintf(`DELETE FROM events WHERE position = %d`, last.Position))
	// The hash chains cannot tell: the stream just ends earlier.
	verifyFails(t, dir, "the ledger ends after", last.ID.String())
}

func TestVerifyNamesAWholeStreamRemoved(t *testing.T) {
	dir := signedDemoLedger(t)
	events := ledgerEvents(t, dir)
	victim := events[len(events)/2].Stream
	first := uuidOfFirst(events, victim)
	tamper(t, dir, fmt.Sprintf(`DELETE FROM events WHERE stream = '%s'`, victim))
	verifyFails(t, dir, "where the tree recorded event "+first)
}

func uuidOfFirst(events []eventstore.RecordedEvent, stream string) string {
	for _, e := range events {
		if e.Stream == stream {
			return e.ID.String()
		}
	}
	return ""
}

func TestVerifyNamesAnEventRewrittenAfterAHead(t *testing.T) {
	dir := signedDemoLedger(t)
	events := ledgerEvents(t, dir)
	// The last event of a stream in the middle of the ledger, rewritten
	// with its hash recomputed: its chain still holds.
	var victim eventstore.RecordedEvent
	lastOf := map[string]int{}
	for i, e := range events {
		lastOf[e.Stream] = i
	}
	for _, i := range lastOf {
		if i > len(events)/3 && i < len(events)-10 && strings.Contains(string(events[i].Data), `"`) {
			victim = events[i]
			break
		}
	}
	forged := victim
	forged.Metadata = []byte(`{"actor":"someone else"}`)
	forged.Hash = eventstore.ComputeHash(forged.PrevHash, forged)
	tamper(t, dir, fmt.Sprintf(`UPDATE events SET metadata = '%s', hash = '%s' WHERE position = %d`, forged.Metadata, forged.Hash, victim.Position))
	verifyFails(t, dir, fmt.Sprintf("event %s at position %d", victim.ID, victim.Position), "it was rewritten")
}

func TestProveAndVerifyAProofOffline(t *testing.T) {
	dir := signedDemoLedger(t)
	events := ledgerEvents(t, dir)
	e := events[17]
	out, err := ledger(t, "prove", "--data", dir, "--event", e.ID.String())
	if err != nil {
		t.Fatalf("prove: %v\n%s", err, out)
	}
	proofFile := filepath.Join(t.TempDir(), "proof.json")
	if err := os.WriteFile(proofFile, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "treehead.pub")
	if got, err := ledger(t, "verify-proof", "--key", pub, proofFile); err != nil || !strings.HasPrefix(got, "OK: event "+e.ID.String()) {
		t.Fatalf("verify-proof: %v\n%s", err, got)
	}
	// Another event's hash in the proof: it must not verify.
	var p map[string]any
	_ = json.Unmarshal([]byte(out), &p)
	p["eventHash"] = events[18].Hash
	forged, _ := json.Marshal(p)
	if err := os.WriteFile(proofFile, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ledger(t, "verify-proof", "--key", pub, proofFile); exitCode(err) != 1 || !strings.Contains(got, "FAILED") {
		t.Fatalf("a forged proof: exit %d\n%s", exitCode(err), got)
	}
}

func TestServeSignsTreeHeads(t *testing.T) {
	dir := demoLedger(t)
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0"}, &treeHeadComponent{every: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "a signed head", func() bool {
		_, err := os.Stat(filepath.Join(dir, "treehead.pub"))
		if err != nil {
			return false
		}
		out, err := ledger(t, "verify", "--data", dir, "--quiet")
		return err == nil && strings.Contains(out, "signed tree heads over") && !strings.Contains(out, "OK: 0 signed")
	})
	if err := srv.shutdown(5 * time.Second); err != nil {
		t.Fatal(err)
	}
}
