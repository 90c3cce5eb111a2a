package ledgergen_test

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/internal/ledgergen"
)

// write names a new reference ledger to write into testdata/ledgers (say
// -write=schema2). An existing one is never overwritten: it is the proof
// that the shapes it holds still replay.
var write = flag.String("write", "", "write the generated ledger as testdata/ledgers/NAME.jsonl")

// LedgersDir holds the committed reference ledgers.
const ledgersDir = "../../testdata/ledgers"

func generate(t *testing.T) []eventstore.RecordedEvent {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := ledgergen.Generate(t.Context(), store); err != nil {
		t.Fatal(err)
	}
	events, err := ledgergen.ReadAll(t.Context(), store)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// missingTypes returns the registered event types none of events has.
func missingTypes(events []eventstore.RecordedEvent) []string {
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Type] = true
	}
	var missing []string
	for _, typ := range domain.EventTypes() {
		if !seen[typ] {
			missing = append(missing, typ)
		}
	}
	return missing
}

// TestGeneratorCoversEveryType: the generator writes every event type
// the domain defines, so a new ledger written with it is complete.
func TestGeneratorCoversEveryType(t *testing.T) {
	events := generate(t)
	if missing := missingTypes(events); len(missing) > 0 {
		t.Errorf("the generator writes no %v: add them to ledgergen.Generate", missing)
	}
	var buf bytes.Buffer
	if err := ledgergen.Write(&buf, events); err != nil {
		t.Fatal(err)
	}
	back, err := ledgergen.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("the JSONL form does not keep the recorded bytes: %v", err)
	}
	if len(back) != len(events) {
		t.Fatalf("read back %d events of %d", len(back), len(events))
	}
	// A byte changed in a committed file (an editor's re-encoding, a hand
	// edit) is refused, not imported as another event.
	tampered := bytes.Replace(buf.Bytes(), []byte(`"name":"Ana"`), []byte(`"name":"Anna"`), 1)
	if bytes.Equal(tampered, buf.Bytes()) {
		t.Fatal("the generated ledger has no agent Ana to tamper with")
	}
	if _, err := ledgergen.Read(bytes.NewReader(tampered)); err == nil {
		t.Error("Read accepted an event whose data no longer hashes to its recorded hash")
	}
	if *write == "" {
		return
	}
	path := filepath.Join(ledgersDir, *write+".jsonl")
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s exists (or cannot be checked: %v): a committed ledger is never rewritten; pick a new name", path, err)
	}
	if err := os.MkdirAll(ledgersDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d events to %s", len(events), path)
}

// TestCommittedLedgersCoverEveryType: together, the committed reference
// ledgers hold every event type the domain defines, each event hashing to
// its recorded hash. A new event type fails here until a ledger holding it
// is written (go test ./internal/ledgergen -run TestGeneratorCoversEveryType -write=NAME).
func TestCommittedLedgersCoverEveryType(t *testing.T) {
	var all []eventstore.RecordedEvent
	for _, ledger := range ledgergen.Ledgers(t, ledgersDir) {
		all = append(all, ledger.Events...)
	}
	if missing := missingTypes(all); len(missing) > 0 {
		t.Errorf("no committed reference ledger holds %v", missing)
	}
}
