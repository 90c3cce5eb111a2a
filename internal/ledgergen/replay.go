package ledgergen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
)

// What the replay tests of the reference ledgers share (projections,
// analytics): finding and importing the ledgers, and comparing what they
// fold into with golden files.

// Ledger is one committed reference ledger.
type Ledger struct {
	Name   string // the file's name without .jsonl: "schema1"
	Path   string
	Events []eventstore.RecordedEvent
}

// Ledgers reads every reference ledger in dir (testdata/ledgers), failing
// the test when there is none or one does not read.
func Ledgers(t testing.TB, dir string) []Ledger {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no reference ledgers in %s (%v)", dir, err)
	}
	var out []Ledger
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		events, err := Read(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, Ledger{Name: strings.TrimSuffix(filepath.Base(path), ".jsonl"), Path: path, Events: events})
	}
	return out
}

// Import imports events into store, an empty ledger, with their ids,
// times and hashes; then checks that verify passes on what the store
// holds and that it holds the bytes and schemas as recorded (upcasting
// never rewrites them).
func Import(ctx context.Context, store interface {
	eventstore.Store
	eventstore.Importer
}, events []eventstore.RecordedEvent) error {
	if _, err := store.Import(ctx, events); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	rep, err := eventstore.Verify(ctx, store, nil)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if !rep.OK || rep.CheckedEvents != uint64(len(events)) {
		return fmt.Errorf("verify after import: %+v; want %d events OK", rep, len(events))
	}
	stored, err := ReadAll(ctx, store)
	if err != nil {
		return err
	}
	if len(stored) != len(events) {
		return fmt.Errorf("the store holds %d events of %d imported", len(stored), len(events))
	}
	for i, e := range stored {
		if e.Hash != events[i].Hash || string(e.Data) != string(events[i].Data) || e.Schema != events[i].Schema {
			return fmt.Errorf("event %d stored as %s schema %d %s, recorded as %s schema %d %s", i, e.Hash, e.Schema, e.Data, events[i].Hash, events[i].Schema, events[i].Data)
		}
	}
	return nil
}

// CompareGolden compares got with the golden file at path, or, with
// update, rewrites the file. A difference fails the test, naming the lines
// only one side has.
func CompareGolden(t testing.TB, path, got string, update bool, regenerate string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write it with %s)", err, regenerate)
	}
	if got != string(want) {
		t.Errorf("the replay differs from %s (an event shape changed without an upcaster that keeps old events meaning what they meant? see docs/schema-evolution.md):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff names the lines only one of want and got has, up to 40.
func lineDiff(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		count[l]--
	}
	var out []string
	for _, l := range strings.Split(want, "\n") {
		if count[l] > 0 {
			out = append(out, "- "+l)
			count[l]--
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if count[l] < 0 {
			out = append(out, "+ "+l)
			count[l]++
		}
	}
	if len(out) > 40 {
		out = append(out[:40], fmt.Sprintf("... and %d more", len(out)-40))
	}
	return strings.Join(out, "\n")
}
