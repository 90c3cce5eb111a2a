package projections

import (
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
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
	for _, ledger := range ledgergen.Ledgers(t, ledgersDir) {
		t.Run(ledger.Name, func(t *testing.T) {
			h := newHarness(t)
			if err := ledgergen.Import(h.ctx, h.store, ledger.Events); err != nil {
				t.Fatalf("%s: %v", ledger.Path, err)
			}
			// The aggregates first: decoding every event there names the
			// first one this build cannot read, where the runner would
			// only block before it.
			aggregates := renderAggregates(t, h)
			live := h.openReadDB("live.db")
			h.runToHead(live)
			got := renderReadModels(t, live) + aggregates

			rebuilt := h.openReadDB("rebuilt.db")
			r := NewRunner(h.store, rebuilt, quietLogger, Standard()...)
			if err := r.Rebuild(h.ctx, nil); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			compareDumps(t, live, rebuilt)

			ledgergen.CompareGolden(t, filepath.Join(ledgersDir, ledger.Name+".golden"), got, *update,
				"go test ./projections -run TestReferenceLedgersReplay -update")
		})
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
