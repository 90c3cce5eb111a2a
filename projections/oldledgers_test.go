package projections

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/ledgergen"
)

// update rewrites the golden read models of the reference ledgers. Only
// when the read models legitimately change (a projection's new column, a
// fixed bug), never to make an event's new shape pass: a new shape must
// fold the old ledgers into the same read models (docs/schema-evolution.md).
var update = flag.Bool("update", false, "rewrite testdata/ledgers/*.golden")

// ledgersDir holds the committed reference ledgers (internal/ledgergen).
const ledgersDir = "../testdata/ledgers"

// TestReferenceLedgersReplay imports each committed reference ledger,
// written once with the event shapes of its day, into a fresh store; checks
// that verify passes on the bytes as stored; and folds it through today's
// decoding (upcasters included) into the read models, once live and once
// by a rebuild, and into every stream's aggregate state. Both must equal
// the committed golden output: an event shape that changes without an
// upcaster that keeps the old events meaning what they meant fails here.
func TestReferenceLedgersReplay(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(ledgersDir, "*.jsonl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no reference ledgers in %s (%v)", ledgersDir, err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		t.Run(name, func(t *testing.T) {
			events := readReferenceLedger(t, path)
			h := newHarness(t)
			importReferenceLedger(t, h, events)

			live := h.openReadDB("live.db")
			h.runToHead(live)
			got := renderReadModels(t, live) + renderAggregates(t, h)

			rebuilt := h.openReadDB("rebuilt.db")
			r := NewRunner(h.store, rebuilt, quietLogger, Standard()...)
			if err := r.Rebuild(h.ctx, nil); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			compareDumps(t, live, rebuilt)

			golden := filepath.Join(ledgersDir, name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (write it with go test ./projections -run TestReferenceLedgersReplay -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s replays into other read models than %s:\n%s", path, golden, lineDiff(string(want), got))
			}
		})
	}
}

func readReferenceLedger(t *testing.T, path string) []eventstore.RecordedEvent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	events, err := ledgergen.Read(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return events
}

// importReferenceLedger imports events with their ids, times and hashes,
// and checks that verify passes on what the store holds and that the
// store holds the bytes as recorded: upcasting never rewrites them.
func importReferenceLedger(t *testing.T, h *harness, events []eventstore.RecordedEvent) {
	t.Helper()
	if _, err := h.store.Import(h.ctx, events); err != nil {
		t.Fatalf("import: %v", err)
	}
	rep, err := eventstore.Verify(h.ctx, h.store, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != uint64(len(events)) {
		t.Fatalf("verify after import: %+v, %v; want %d events OK", rep, err, len(events))
	}
	stored, err := ledgergen.ReadAll(h.ctx, h.store)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range stored {
		if e.Hash != events[i].Hash || string(e.Data) != string(events[i].Data) || e.Schema != events[i].Schema {
			t.Fatalf("event %d stored as %s schema %d %s, recorded as %s schema %d %s", i, e.Hash, e.Schema, e.Data, events[i].Hash, events[i].Schema, events[i].Data)
		}
	}
}

// renderReadModels renders every table of the standard read models,
// rows sorted, under a header naming the table.
func renderReadModels(t *testing.T, db *ReadDB) string {
	t.Helper()
	var b strings.Builder
	tables := readModelTables()
	sort.Strings(tables)
	for _, table := range tables {
		fmt.Fprintf(&b, "## table %s\n", table)
		for _, row := range dump(t, db, table) {
			b.WriteString(row)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// renderAggregates folds each stream's events, decoded as the command
// side decodes them, into its aggregate's state and renders it as JSON.
func renderAggregates(t *testing.T, h *harness) string {
	t.Helper()
	events, err := ledgergen.ReadAll(h.ctx, h.store)
	if err != nil {
		t.Fatal(err)
	}
	byStream := map[string][]domain.Event{}
	var streams []string
	for _, e := range events {
		ev, err := domain.DecodeEvent(e.Type, e.Schema, e.Data)
		if err != nil {
			t.Fatalf("decode %s@%d: %v", e.Stream, e.Version, err)
		}
		if _, ok := byStream[e.Stream]; !ok {
			streams = append(streams, e.Stream)
		}
		byStream[e.Stream] = append(byStream[e.Stream], ev)
	}
	sort.Strings(streams)
	var b strings.Builder
	for _, stream := range streams {
		state, err := domain.FoldStream(stream, byStream[stream])
		if err != nil {
			// A stream no aggregate decides on (the access log, QA,
			// reviews): its events reach the read models only.
			fmt.Fprintf(&b, "## aggregate %s: none (%d events)\n", stream, len(byStream[stream]))
			continue
		}
		fmt.Fprintf(&b, "## aggregate %s\n%s\n", stream, renderState(t, stream, state))
	}
	return b.String()
}

// renderState renders an aggregate's state as JSON, or, for a state
// JSON cannot hold (maps keyed by structs), as Go syntax, which prints
// maps sorted; never with pointers, whose addresses change every run.
func renderState(t *testing.T, stream string, state any) string {
	t.Helper()
	if js, err := json.Marshal(state); err == nil {
		return string(js)
	}
	s := fmt.Sprintf("%+v", state)
	if strings.Contains(s, "0xc") {
		t.Fatalf("render %s: the state holds pointers: %s", stream, s)
	}
	return s
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
