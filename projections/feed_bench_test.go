package projections

import (
	"context"
	"testing"

	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// BenchmarkFeed measures reading (and decoding) the generated ledger
// without applying it: the ceiling the store puts on Rebuild.
func BenchmarkFeed(b *testing.B) {
	path := benchLedger(b, benchEvents(b))
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path, sqlite.WithLogger(quietLogger))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	for _, decode := range []bool{false, true} {
		name := "read"
		if decode {
			name = "read+decode"
		}
		b.Run(name, func(b *testing.B) {
			var n int
			for b.Loop() {
				var after uint64
				for {
					page, err := store.ReadAll(ctx, after, rebuildPage)
					if err != nil {
						b.Fatal(err)
					}
					if len(page) == 0 {
						break
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
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
