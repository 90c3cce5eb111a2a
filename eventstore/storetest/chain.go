package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
)

func testHashChain(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	for i := range 40 {
		mustAppend(t, s, fmt.Sprintf("chain-%d", i%3), eventstore.Any, newEvents("Noted", 1+i%2))
	}
	all := readAll(t, s, 1000)
	last := make(map[string]eventstore.RecordedEvent)
	hashes := make(map[string]bool)
	for _, e := range all {
		prev, seen := last[e.Stream]
		switch {
		case !seen && e.PrevHash != "":
			t.Fatalf("first event of %s has prev_hash %q, want empty", e.Stream, e.PrevHash)
		case seen && e.PrevHash != prev.Hash:
			t.Fatalf("%s version %d: prev_hash %q, previous event's hash %q", e.Stream, e.Version, e.PrevHash, prev.Hash)
		}
		if h := eventstore.ComputeHash(e.PrevHash, e); h != e.Hash {
			t.Fatalf("%s version %d: hash %s, ComputeHash gives %s", e.Stream, e.Version, e.Hash, h)
		}
		if hashes[e.Hash] {
			t.Fatalf("hash %s appears twice", e.Hash)
		}
		hashes[e.Hash] = true
		last[e.Stream] = e
	}

	var mu sync.Mutex
	var progress []uint64
	rep, err := eventstore.Verify(ctx, s, func(n uint64) {
		mu.Lock()
		progress = append(progress, n)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.FirstBad != nil || rep.CheckedEvents != uint64(len(all)) || rep.Streams != 3 {
		t.Fatalf("verify = %+v, want OK over %d events in 3 streams", rep, len(all))
	}
	if len(progress) == 0 || progress[len(progress)-1] != uint64(len(all)) {
		t.Fatalf("progress calls %v, want the last to be %d", progress, len(all))
	}
}

func testVerifyEmpty(t *testing.T, s eventstore.Store) {
	rep, err := eventstore.Verify(testContext(t), s, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != 0 {
		t.Fatalf("verify empty store = %+v, %v", rep, err)
	}
}

// testClose closes the store under concurrent appends: each append either
// succeeds or fails with ErrClosed, and everything after Close fails with
// ErrClosed.
func testClose(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	started := make(chan struct{})
	var once sync.Once
	errs := make([]error, Writers)
	var wg sync.WaitGroup
	for w := range Writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				_, err := s.Append(ctx, fmt.Sprintf("close-%d", w%8), eventstore.Any, newEvents("Noted", 1))
				once.Do(func() { close(started) })
				if err != nil {
					if !errors.Is(err, eventstore.ErrClosed) {
						errs[w] = err
					}
					return
				}
			}
		})
	}
	<-started
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("appends racing Close failed with something other than ErrClosed: %v", err)
	}
	if _, err := s.Append(ctx, "late", eventstore.Any, newEvents("Noted", 1)); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("append after close: %v, want ErrClosed", err)
	}
	if _, err := s.ReadAll(ctx, 0, 10); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("read $all after close: %v, want ErrClosed", err)
	}
	if _, err := s.ReadStream(ctx, "close-1", 0, 10); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("read stream after close: %v, want ErrClosed", err)
	}
	if _, err := s.HeadPosition(ctx); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("head position after close: %v, want ErrClosed", err)
	}
	if _, err := s.SubscribeAll(ctx, 0).Next(ctx); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("subscription after close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}
