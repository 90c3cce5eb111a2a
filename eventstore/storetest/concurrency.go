package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

// parallel runs fn(0..n-1) on n goroutines and waits for them.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}

// ack is an acknowledged append.
type ack struct {
	stream string
	evs    []eventstore.EventData
	res    eventstore.AppendResult
}

// appendsPerWriter and streamsForOrdering shape the ordering test: many
// writers on few streams, so that appends to one stream share batches.
const (
	appendsPerWriter   = 25
	streamsForOrdering = 16
)

// runWriters has Writers goroutines append appendsPerWriter times each (1
// to 3 events, expected version Any, random streams among nStreams) and
// returns every acknowledged append.
func runWriters(ctx context.Context, t *testing.T, s eventstore.Store, prefix string, nStreams int) []ack {
	t.Helper()
	acks := make([][]ack, Writers)
	errs := make([]error, Writers)
	parallel(Writers, func(w int) {
		rng := rand.New(rand.NewPCG(uint64(w), 42))
		for i := range appendsPerWriter {
			stream := fmt.Sprintf("%s-%d", prefix, rng.IntN(nStreams))
			evs := make([]eventstore.EventData, 1+rng.IntN(3))
			for j := range evs {
				evs[j] = newEvent("Noted", w*1000+i*10+j)
			}
			res, err := s.Append(ctx, stream, eventstore.Any, evs)
			if err != nil {
				errs[w] = fmt.Errorf("writer %d append %d to %s: %w", w, i, stream, err)
				return
			}
			acks[w] = append(acks[w], ack{stream: stream, evs: evs, res: res})
		}
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var all []ack
	for _, a := range acks {
		all = append(all, a...)
	}
	return all
}

func testConcurrentOrdering(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	acks := runWriters(ctx, t, s, "order", streamsForOrdering)
	total := 0
	for _, a := range acks {
		total += len(a.evs)
	}
	all := readAll(t, s, 97) // an odd page size, to cross page boundaries
	if len(all) != total {
		t.Fatalf("store holds %d events, writers were acknowledged %d", len(all), total)
	}
	if h := head(t, s); h != uint64(total) {
		t.Fatalf("head position %d, want %d", h, total)
	}
	checkGapFree(t, all)
	checkAcks(t, all, acks)
	checkStreams(t, s, all)
	rep, err := eventstore.Verify(ctx, s, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != uint64(total) {
		t.Fatalf("verify = %+v, %v; want OK over %d events", rep, err, total)
	}
}

// checkGapFree asserts positions are exactly 1..len(all) and every id
// appears once.
func checkGapFree(t *testing.T, all []eventstore.RecordedEvent) {
	t.Helper()
	seen := make(map[uuid.UUID]uint64, len(all))
	for i, e := range all {
		if e.Position != uint64(i+1) {
			t.Fatalf("event %d has position %d: positions are not gap-free from 1", i, e.Position)
		}
		if p, dup := seen[e.ID]; dup {
			t.Fatalf("id %s stored twice, at %d and %d", e.ID, p, e.Position)
		}
		seen[e.ID] = e.Position
	}
}

// checkAcks asserts every acknowledged append is stored exactly where its
// result says, contiguous and in order.
func checkAcks(t *testing.T, all []eventstore.RecordedEvent, acks []ack) {
	t.Helper()
	for _, a := range acks {
		if a.res.LastPosition-a.res.FirstPosition+1 != uint64(len(a.evs)) {
			t.Fatalf("append of %d events got positions %d..%d", len(a.evs), a.res.FirstPosition, a.res.LastPosition)
		}
		for j, ev := range a.evs {
			got := all[a.res.FirstPosition-1+uint64(j)]
			if got.ID != ev.ID || got.Stream != a.stream {
				t.Fatalf("position %d holds %s on %s, want acknowledged %s on %s", got.Position, got.ID, got.Stream, ev.ID, a.stream)
			}
			if j == len(a.evs)-1 && got.Version != a.res.NextExpectedVersion {
				t.Fatalf("append to %s reported next version %d, last event has version %d", a.stream, a.res.NextExpectedVersion, got.Version)
			}
		}
	}
}

// checkStreams asserts every stream's versions are contiguous from 0 and
// that ReadStream agrees with $all.
func checkStreams(t *testing.T, s eventstore.Store, all []eventstore.RecordedEvent) {
	t.Helper()
	byStream := make(map[string][]eventstore.RecordedEvent)
	for _, e := range all {
		byStream[e.Stream] = append(byStream[e.Stream], e)
	}
	for stream, want := range byStream {
		got := readStream(t, s, stream)
		if len(got) != len(want) {
			t.Fatalf("stream %s: ReadStream gives %d events, $all has %d", stream, len(got), len(want))
		}
		for i := range got {
			if got[i].Version != int64(i) || got[i].ID != want[i].ID || got[i].Position != want[i].Position {
				t.Fatalf("stream %s event %d: version %d id %s position %d; $all has id %s position %d",
					stream, i, got[i].Version, got[i].ID, got[i].Position, want[i].ID, want[i].Position)
			}
		}
	}
}

func testNoStreamReservation(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	errs := make([]error, Writers)
	parallel(Writers, func(w int) {
		_, errs[w] = s.Append(ctx, "identity-phone-+8613800000000", eventstore.NoStream, []eventstore.EventData{newEvent("IdentityReserved", w)})
	})
	wins := 0
	for w, err := range errs {
		switch {
		case err == nil:
			wins++
		case eventstore.IsVersionConflict(err):
			wantVersionConflict(t, err, "identity-phone-+8613800000000", eventstore.NoStream, 0)
		default:
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d writers reserved the identity, want exactly 1", wins)
	}
	if n := len(readAll(t, s, 100)); n != 1 {
		t.Fatalf("store holds %d events, want 1", n)
	}
}

// testOptimisticUpdates runs read-decide-append loops with exact expected
// versions on one stream: no update may be lost or applied twice.
func testOptimisticUpdates(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	const updaters, updates = 16, 10
	var conflicts [updaters]int
	errs := make([]error, updaters)
	parallel(updaters, func(w int) {
		for i := 0; i < updates; {
			evs, err := s.ReadStream(ctx, "counter", 0, 1<<20)
			if err != nil {
				errs[w] = err
				return
			}
			expected := eventstore.NoStream
			if len(evs) > 0 {
				expected = eventstore.Exact(evs[len(evs)-1].Version)
			}
			_, err = s.Append(ctx, "counter", expected, []eventstore.EventData{newEvent("Incremented", w*100+i)})
			switch {
			case err == nil:
				i++
			case eventstore.IsVersionConflict(err):
				conflicts[w]++
			default:
				errs[w] = err
				return
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, s, "counter")
	if len(got) != updaters*updates {
		t.Fatalf("counter stream has %d events, want %d", len(got), updaters*updates)
	}
	for i, e := range got {
		if e.Version != int64(i) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
	}
	total := 0
	for _, c := range conflicts {
		total += c
	}
	t.Logf("%d version conflicts retried", total)
}
