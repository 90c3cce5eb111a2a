package projections

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestViewCacheIsNeverStale applies a generated ledger (every channel,
// tickets, merges and their undoing, then erasures) batch by batch. Before
// each batch it reads every customer's screen-pop views through the cache,
// filling it; after the batch it reads them again through the cache and
// through a read database without one: the answers must be equal. A batch
// whose change the cache missed shows as a difference.
func TestViewCacheIsNeverStale(t *testing.T) {
	h := newHarness(t)
	g := h.generated(3000)
	for _, typ := range []string{"CustomerMerged", "CustomerMergeUndone", "IdentityLinked", "TicketOpened", "MessageReceived"} {
		if g.counts[typ] == 0 {
			t.Fatalf("the generated ledger has no %s: %v", typ, g.counts)
		}
	}
	var erased []domain.Event
	for i, c := range g.customers[:6] {
		erased = append(erased, domain.CustomerErased{CustomerID: c.id, Identities: len(c.identities), Reason: domain.ErasedText, At: at(float64(100000 + i))})
	}
	h.append(erased...)

	fresh := h.openReadDB("read.db") // the same file, its own cache
	r := NewRunner(h.store, h.db, quietLogger, Standard()...)
	if _, err := r.load(h.ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var after uint64
	var batches, hits int
	for {
		batch := h.readBatch(after, 1+rng.IntN(120))
		if len(batch) == 0 {
			break
		}
		// Half the rounds read inside a request's snapshot that spans the
		// batch: what it reads after the commit is older than the cache's
		// epoch and must not be kept.
		ctx, end := h.ctx, func() {}
		if batches%2 == 1 {
			ctx, end = h.db.WithSnapshot(ctx)
		}
		readViews(t, ctx, h.db, g)
		if err := r.applyBatch(h.ctx, batch); err != nil {
			t.Fatal(err)
		}
		if batches%2 == 1 {
			readViews(t, ctx, h.db, g)
		}
		end()
		after = batch[len(batch)-1].Position
		fresh.views.clear()
		got, want := readViews(t, h.ctx, h.db, g), readViews(t, h.ctx, fresh, g)
		if d := firstViewDiff(got, want); d != "" {
			t.Fatalf("after the batch ending at %d (%d events, first %s on %s): the cache answered %s", after, len(batch), batch[0].Type, batch[0].Stream, d)
		}
		hits += countFresh(h.db)
		batches++
	}
	if batches < 20 || hits == 0 {
		t.Fatalf("%d batches, %d cached views fresh after them: the test exercised nothing", batches, hits)
	}
}

// readBatch reads and decodes up to n events after position after.
func (h *harness) readBatch(after uint64, n int) []Event {
	h.t.Helper()
	recs, err := h.store.ReadAll(h.ctx, after, n)
	if err != nil {
		h.t.Fatal(err)
	}
	out := make([]Event, len(recs))
	for i, rec := range recs {
		data, err := decodeEvent(rec.Type, rec.Schema, rec.Data)
		if err != nil {
			h.t.Fatal(err)
		}
		out[i] = Event{Position: rec.Position, Stream: rec.Stream, Version: rec.Version, Type: rec.Type, RecordedAt: rec.RecordedAt, Metadata: rec.Metadata, Data: data}
	}
	return out
}

// screenPopViews are the answers of every cached read for every customer
// and identity of a generated ledger.
type screenPopViews struct {
	holders   map[string]string // identity -> customer ("" when nobody)
	customers map[string]Customer
	timelines map[string]TimelinePage
}

func readViews(t *testing.T, ctx context.Context, db *ReadDB, g *ledgerGen) screenPopViews {
	t.Helper()
	v := screenPopViews{holders: map[string]string{}, timelines: map[string]TimelinePage{}}
	var ids []string
	for _, c := range g.customers {
		ids = append(ids, c.id)
		for _, id := range c.identities {
			holder, _, err := db.CustomerByIdentity(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			v.holders[identityViewKey(id)] = holder
		}
		page, err := db.Timeline(ctx, c.id, 20, "")
		if err != nil {
			t.Fatal(err)
		}
		v.timelines[c.id] = page
	}
	var err error
	if v.customers, err = db.CustomersByID(ctx, ids); err != nil {
		t.Fatal(err)
	}
	return v
}

func firstViewDiff(got, want screenPopViews) string {
	for k, w := range want.holders {
		if g := got.holders[k]; g != w {
			return fmt.Sprintf("identity %q held by %q, not %q", k, g, w)
		}
	}
	for k, w := range want.customers {
		if g := got.customers[k]; !reflect.DeepEqual(g, w) {
			return fmt.Sprintf("customer %s as %+v, not %+v", k, g, w)
		}
	}
	if len(got.customers) != len(want.customers) {
		return fmt.Sprintf("%d customers, not %d", len(got.customers), len(want.customers))
	}
	for k, w := range want.timelines {
		if g := got.timelines[k]; !reflect.DeepEqual(g, w) {
			return fmt.Sprintf("the timeline of %s as %+v, not %+v", k, g, w)
		}
	}
	return ""
}

// countFresh counts the cached views that would be served now.
func countFresh(db *ReadDB) int {
	c := db.views
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.timelines.m {
		if c.fresh(v.epoch, v.deps) {
			n++
		}
	}
	return n
}
