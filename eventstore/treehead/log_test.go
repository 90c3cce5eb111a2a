package treehead_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/eventstore/treehead"
)

// TestSigningOnlyLogSignsTheSameTree records a ledger's leaves through a
// log that keeps them all and through one that signs only, taking turns
// (two processes on one data directory): both must have the same tree
// after each, and the signing-only one must refuse to prove.
func TestSigningOnlyLogSignsTheSameTree(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	full, err := treehead.OpenLog(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	signer, err := treehead.OpenLog(ctx, dir, treehead.SigningOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	for round, n := range []int{1, 300, 17, 1024} {
		appendEvents(t, store, round, n)
		first, second := signer, full
		if round%2 == 1 {
			first, second = full, signer
		}
		for _, l := range []*treehead.Log{first, second} {
			if err := l.CatchUp(ctx, store); err != nil {
				t.Fatal(err)
			}
		}
		if full.Tree().Size() != signer.Tree().Size() || !bytes.Equal(full.Tree().Root(), signer.Tree().Root()) {
			t.Fatalf("round %d: the full log has %d leaves with root %x, the signing-only one %d with %x",
				round, full.Tree().Size(), full.Tree().Root(), signer.Tree().Size(), signer.Tree().Root())
		}
	}
	if _, err := signer.Tree().InclusionProof(0, signer.Tree().Size()); err == nil {
		t.Fatal("a signing-only log proved an inclusion")
	}
	if _, err := full.Tree().InclusionProof(0, full.Tree().Size()); err != nil {
		t.Fatalf("the full log: %v", err)
	}
}

func appendEvents(t *testing.T, store eventstore.Store, round, n int) {
	t.Helper()
	var batch []eventstore.EventData
	for i := range n {
		batch = append(batch, eventstore.EventData{ID: uuid.New(), Type: "Noted", Schema: 1, Data: []byte(fmt.Sprintf(`{"n":%d}`, i))})
	}
	if _, err := store.Append(context.Background(), fmt.Sprintf("note-%d", round), eventstore.Any, batch); err != nil {
		t.Fatal(err)
	}
}
