package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

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

// TestStoredIDInBatchIsDecidedWithLookup: the writer decides a batch
// without looking up its event ids and relies on the unique index to catch
// a stored one. A batch holding the retry of a stored append (expected
// version Any, so nothing else gives it away), a different event under a
// stored id, and fresh appends (one to the retried stream) must come out
// exactly as if every id had been looked up.
func TestStoredIDInBatchIsDecidedWithLookup(t *testing.T) {
	var commits atomic.Int64
	entered, release := make(chan struct{}), make(chan struct{})
	var logs SyncBuffer
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		func(c *config) {
			c.beforeCommit = func() error {
				if commits.Add(1) == 3 { // hold the writer while the batch queues up
					close(entered)
					<-release
				}
				return nil
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	stored := append(event(1), event(2)...)
	first, err := s.Append(ctx, "retried", eventstore.NoStream, stored)
	if err != nil {
		t.Fatal(err)
	}
	other := event(9)
	if _, err := s.Append(ctx, "other", eventstore.NoStream, other); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := s.Append(ctx, "blocker", eventstore.Any, event(0)); err != nil {
			t.Error(err)
		}
	})
	<-entered

	forged := []eventstore.EventData{other[0]}
	forged[0].Data = []byte(`{"n":"forged"}`)
	type call struct {
		stream string
		evs    []eventstore.EventData
		res    eventstore.AppendResult
		err    error
	}
	calls := []*call{
		{stream: "retried", evs: stored},
		{stream: "retried", evs: event(3)},
		{stream: "elsewhere", evs: forged},
	}
	for i := range 8 {
		calls = append(calls, &call{stream: fmt.Sprintf("fresh-%d", i), evs: event(i)})
	}
	for i, c := range calls { // one at a time, so the batch keeps this order
		wg.Go(func() { c.res, c.err = s.Append(ctx, c.stream, eventstore.Any, c.evs) })
		waitQueued(t, s, i+1)
	}
	close(release)
	wg.Wait()

	if calls[0].err != nil || calls[0].res != first {
		t.Fatalf("retry = %+v, %v; want the original %+v", calls[0].res, calls[0].err, first)
	}
	if calls[1].err != nil || calls[1].res.NextExpectedVersion != 2 || calls[1].res.FirstPosition != 5 {
		t.Fatalf("append after the retry = %+v, %v; want version 2 at position 5", calls[1].res, calls[1].err)
	}
	var ic *eventstore.EventIDConflictError
	if !errors.As(calls[2].err, &ic) || ic.ID != other[0].ID {
		t.Fatalf("different event under a stored id: %v, want an EventIDConflictError naming %s", calls[2].err, other[0].ID)
	}
	for i, c := range calls[3:] {
		if c.err != nil || c.res.FirstPosition != uint64(6+i) {
			t.Fatalf("fresh append %d = %+v, %v; want position %d", i, c.res, c.err, 6+i)
		}
	}
	if !strings.Contains(logs.String(), "carried a stored event id") {
		t.Fatalf("the batch was not written again with a lookup; logs:\n%s", logs.String())
	}
	rep, err := eventstore.Verify(ctx, s, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != 13 {
		t.Fatalf("verify = %+v, %v; want OK over 13 events", rep, err)
	}
}

// waitQueued waits until n requests wait in the writer's queue.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(s.w.queue) < n; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests queued", len(s.w.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// openLate opens a store whose writer, once armed, calls late after its
// next round of inserts and waits until the appends late starts (it
// returns how many) are queued: they reach the writer while its batch is
// still open.
func openLate(t *testing.T, logs *SyncBuffer, late func(s *Store) int) (s *Store, reg *prometheus.Registry, arm func()) {
	t.Helper()
	var armed atomic.Bool
	reg = prometheus.NewRegistry()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"),
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithRegisterer(reg),
		func(c *config) {
			c.afterInsert = func() {
				if armed.CompareAndSwap(true, false) {
					waitQueued(t, s, late(s))
				}
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, reg, func() { armed.Store(true) }
}

// batchStats returns the number of group commits and the events they
// wrote.
func batchStats(t *testing.T, reg *prometheus.Registry) (commits uint64, events float64) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "ledger_eventstore_batch_events" {
			h := mf.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), h.GetSampleSum()
		}
	}
	return 0, 0
}

// TestLateRequestsJoinTheOpenBatch: appends that reach the writer while it
// is inserting a batch are committed with it, in one fsync, at the
// positions that follow.
func TestLateRequestsJoinTheOpenBatch(t *testing.T) {
	ctx := context.Background()
	const nLate = 5
	results := make([]eventstore.AppendResult, nLate)
	errs := make([]error, nLate)
	var wg sync.WaitGroup
	var logs SyncBuffer
	s, reg, arm := openLate(t, &logs, func(s *Store) int {
		for i := range nLate {
			wg.Go(func() { results[i], errs[i] = s.Append(ctx, fmt.Sprintf("late-%d", i), eventstore.NoStream, event(i)) })
			waitQueued(t, s, i+1) // in this order
		}
		return nLate
	})
	arm()
	first, err := s.Append(ctx, "first", eventstore.NoStream, event(0))
	if err != nil || first.FirstPosition != 1 {
		t.Fatalf("first append = %+v, %v; want position 1", first, err)
	}
	wg.Wait()
	for i := range nLate {
		if errs[i] != nil || results[i].FirstPosition != uint64(2+i) {
			t.Fatalf("late append %d = %+v, %v; want position %d", i, results[i], errs[i], 2+i)
		}
	}
	if commits, events := batchStats(t, reg); commits != 1 || events != 1+nLate {
		t.Fatalf("%d commits wrote %v events; want one commit of %d", commits, events, 1+nLate)
	}
	rep, err := eventstore.Verify(ctx, s, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != 1+nLate {
		t.Fatalf("verify = %+v, %v", rep, err)
	}
}

// TestLateRetryIsDecidedWithLookup: a late request that is not accepted
// (here the retry of a stored append, with the stale expected version a
// retry carries) may be one the id lookup would answer differently, so
// the whole batch, late requests and all, is rolled back and decided again
// with the lookup, and still committed once.
func TestLateRetryIsDecidedWithLookup(t *testing.T) {
	ctx := context.Background()
	stored := event(1)
	var retry, fresh eventstore.AppendResult
	var retryErr, freshErr error
	var wg sync.WaitGroup
	var logs SyncBuffer
	s, reg, arm := openLate(t, &logs, func(s *Store) int {
		wg.Go(func() { retry, retryErr = s.Append(ctx, "stored", eventstore.NoStream, stored) })
		waitQueued(t, s, 1)
		wg.Go(func() { fresh, freshErr = s.Append(ctx, "stored", eventstore.Any, event(2)) })
		return 2
	})
	original, err := s.Append(ctx, "stored", eventstore.NoStream, stored)
	if err != nil {
		t.Fatal(err)
	}
	arm()
	if res, err := s.Append(ctx, "first", eventstore.NoStream, event(0)); err != nil || res.FirstPosition != 2 {
		t.Fatalf("first append = %+v, %v; want position 2", res, err)
	}
	wg.Wait()
	if retryErr != nil || retry != original {
		t.Fatalf("late retry = %+v, %v; want the original %+v", retry, retryErr, original)
	}
	if freshErr != nil || fresh.FirstPosition != 3 || fresh.NextExpectedVersion != 1 {
		t.Fatalf("late append = %+v, %v; want position 3, version 1", fresh, freshErr)
	}
	if !strings.Contains(logs.String(), "writing it again with an id lookup") {
		t.Fatalf("the batch was not decided again with a lookup; logs:\n%s", logs.String())
	}
	if commits, events := batchStats(t, reg); commits != 2 || events != 3 {
		t.Fatalf("%d commits wrote %v events; want 2 commits of 3 events in all", commits, events)
	}
}
