package projections

import (
	"context"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// BenchmarkFeed measures reading (and decoding) the generated ledger
// without applying it, with ReadAll and with the store's lean bulk read
// (what Rebuild uses): the ceiling the store puts on Rebuild.
func BenchmarkFeed(b *testing.B) {
	path := benchLedger(b, benchEvents(b))
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path, sqlite.WithLogger(quietLogger))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	full := func(after uint64, _ []eventstore.LeanEvent) ([]eventstore.LeanEvent, error) {
		page, err := store.ReadAll(ctx, after, rebuildPage)
		return follow.LeanEvents(page, nil), err
	}
	lean := func(after uint64, buf []eventstore.LeanEvent) ([]eventstore.LeanEvent, error) {
		return store.ReadAllLean(ctx, after, rebuildPage, buf)
	}
	for _, c := range []struct {
		name   string
		read   func(uint64, []eventstore.LeanEvent) ([]eventstore.LeanEvent, error)
		decode bool
	}{
		{"read", full, false},
		{"read+decode", full, true},
		{"lean", lean, false},
		{"lean+decode", lean, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				n += readWhole(b, c.read, c.decode)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// readWhole reads the whole log with read, decoding each event if asked,
// and returns the number of events.
func readWhole(b *testing.B, read func(uint64, []eventstore.LeanEvent) ([]eventstore.LeanEvent, error), decode bool) int {
	var n int
	var after uint64
	var page []eventstore.LeanEvent
	for {
		var err error
		page, err = read(after, page)
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			return n
		}
		after = page[len(page)-1].Position
		n += len(page)
		if decode {
			for _, e := range page {
				if _, err := decodeEvent(e.Type, e.Schema, e.Data); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
