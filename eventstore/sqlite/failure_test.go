package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

var errInjected = errors.New("injected I/O error")

func event(n int) []eventstore.EventData {
	return []eventstore.EventData{{ID: uuid.New(), Type: "Noted", Data: fmt.Appendf(nil, `{"n":%d}`, n)}}
}

// TestFailedBatchFailsEveryRequestAndPublishesNothing fails one group
// commit of 32 requests (16 of them to one stream): every request of that
// batch fails, nothing of it is visible (not in the file, not in the
// stream-head cache), positions stay gap-free, and the next batches work.
func TestFailedBatchFailsEveryRequestAndPublishesNothing(t *testing.T) {
	var commits atomic.Int64
	entered, release := make(chan struct{}), make(chan struct{})
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"),
		WithLogger(slog.New(slog.DiscardHandler)),
		func(c *config) {
			c.beforeCommit = func() error {
				switch commits.Add(1) {
				case 3: // hold the writer while 32 requests queue up
					close(entered)
					<-release
				case 4: // ... and fail the batch they form
					return errInjected
				}
				return nil
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	// Two warm-up commits: stream heads are cached.
	for i := range 2 {
		if _, err := s.Append(ctx, "warm", eventstore.Any, event(i)); err != nil {
			t.Fatal(err)
		}
	}
	type outcome struct {
		stream string
		res    eventstore.AppendResult
		err    error
	}
	outcomes := make(chan outcome, 32)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := s.Append(ctx, "blocker", eventstore.Any, event(0)); err != nil {
			t.Error(err)
		}
	})
	<-entered
	for w := range 32 {
		wg.Go(func() {
			stream := fmt.Sprintf("fresh-%d", w)
			if w%2 == 0 {
				stream = "warm"
			}
			res, err := s.Append(ctx, stream, eventstore.Any, event(w))
			outcomes <- outcome{stream, res, err}
		})
	}
	for deadline := time.Now().Add(10 * time.Second); len(s.w.queue) < 32; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests queued", len(s.w.queue))
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(outcomes)

	failed, ok := 0, 0
	for o := range outcomes {
		switch {
		case errors.Is(o.err, errInjected):
			failed++
			if o.stream != "warm" {
				// A fresh stream whose append failed must still be empty,
				// in the file and in the cache.
				if _, err := s.Append(ctx, o.stream, eventstore.NoStream, event(0)); err != nil {
					t.Fatalf("stream %s after its failed append: %v", o.stream, err)
				}
			}
		case o.err == nil:
			ok++
		default:
			t.Fatalf("append to %s: %v", o.stream, o.err)
		}
	}
	if failed != 32 {
		t.Fatalf("%d requests failed, %d succeeded; want the whole batch of 32 to fail", failed, ok)
	}
	all, err := s.ReadAll(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range all {
		if e.Position != uint64(i+1) {
			t.Fatalf("position gap after a failed batch: event %d at %d", i, e.Position)
		}
	}
	warm, _ := s.ReadStream(ctx, "warm", 0, 1000)
	for i, e := range warm {
		if e.Version != int64(i) {
			t.Fatalf("warm stream version gap at %d", i)
		}
	}
	res, err := s.Append(ctx, "warm", eventstore.Exact(int64(len(warm)-1)), event(99))
	if err != nil || res.LastPosition != uint64(len(all))+1 {
		t.Fatalf("append after the failure = %+v, %v; want position %d", res, err, len(all)+1)
	}
	rep, err := eventstore.Verify(ctx, s, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	t.Logf("%d requests failed with the batch, %d succeeded", failed, ok)
}
