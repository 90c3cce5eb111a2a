package esdbserver

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// plainStore hides the optional interfaces of the store it wraps.
type plainStore struct{ eventstore.Store }

func TestLastVersionWithOnlyTheContractsReads(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 100} {
		stream := fmt.Sprintf("s-%d", n)
		for i := range n {
			ev := eventstore.EventData{ID: uuid.New(), Type: "Noted", Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
			if _, err := s.Append(ctx, stream, eventstore.Any, []eventstore.EventData{ev}); err != nil {
				t.Fatal(err)
			}
		}
		for _, store := range []eventstore.Store{s, plainStore{s}} {
			got, err := lastVersion(ctx, store, stream)
			if err != nil || got != int64(n-1) {
				t.Fatalf("lastVersion of a stream of %d events (%T) = %d, %v; want %d", n, store, got, err, n-1)
			}
		}
	}
}
