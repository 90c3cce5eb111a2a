package appendbench_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/appendbench"
)

// countingStore records appends and can fail the n-th one.
type countingStore struct {
	eventstore.Store // nil: only Append is used
	mu               sync.Mutex
	calls            int
	sizes            map[int]int
	ids              map[uuid.UUID]bool
	streams          map[string]bool
	versions         map[string]int64 // last version of each stream
	failAt           int
}

func newCountingStore() *countingStore {
	return &countingStore{sizes: map[int]int{}, ids: map[uuid.UUID]bool{}, streams: map[string]bool{}, versions: map[string]int64{}}
}

func (s *countingStore) Append(_ context.Context, stream string, expected eventstore.ExpectedVersion, evs []eventstore.EventData) (eventstore.AppendResult, error) {
	if _, err := eventstore.ValidateAppend(stream, expected, evs); err != nil {
		return eventstore.AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.calls == s.failAt {
		return eventstore.AppendResult{}, errors.New("disk on fire")
	}
	cur, ok := s.versions[stream]
	if !ok {
		cur = -1
	}
	if expected != eventstore.Any && int64(expected) != cur {
		return eventstore.AppendResult{}, &eventstore.VersionConflictError{Stream: stream, Expected: expected, Actual: cur}
	}
	s.sizes[len(evs)]++
	s.streams[stream] = true
	for _, e := range evs {
		s.ids[e.ID] = true
	}
	s.versions[stream] = cur + int64(len(evs))
	return eventstore.AppendResult{NextExpectedVersion: cur + int64(len(evs))}, nil
}

func TestRunAppendsExactlyTheConfiguredEvents(t *testing.T) {
	s := newCountingStore()
	var progress []int
	var mu sync.Mutex
	res, err := appendbench.Run(context.Background(), s, appendbench.Config{Writers: 4, Events: 1000, EventsPerAppend: 3, Streams: 5}, func(n int) {
		mu.Lock()
		progress = append(progress, n)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 1000 || res.Appends != 334 || len(s.ids) != 1000 {
		t.Fatalf("result %+v with %d distinct ids, want 1000 events in 334 appends", res, len(s.ids))
	}
	if s.sizes[3] != 333 || s.sizes[1] != 1 {
		t.Fatalf("append sizes %v, want 333 of 3 and 1 of 1", s.sizes)
	}
	if len(s.streams) > 5 {
		t.Fatalf("appended to %d streams, configured 5", len(s.streams))
	}
	l := res.Latency
	if !(l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) || l.Max <= 0 {
		t.Fatalf("latencies not ordered: %+v", l)
	}
	if res.EventsPerSecond <= 0 || progress[len(progress)-1] != 1000 {
		t.Fatalf("events/s %v, progress %v", res.EventsPerSecond, progress)
	}
	if !strings.Contains(res.String(), "events/s") {
		t.Fatalf("String() = %q", res.String())
	}
}

func TestRunStopsAtFirstError(t *testing.T) {
	s := newCountingStore()
	s.failAt = 50
	_, err := appendbench.Run(context.Background(), s, appendbench.Config{Writers: 8, Events: 10_000}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v, want the append error", err)
	}
	if s.calls >= 10_000 {
		t.Fatalf("run went on after the error: %d appends", s.calls)
	}
}

// TestConversationsWorkload: each writer fills a stream of its own with
// exact expected versions (the counting store refuses a wrong one), moves
// on after StreamEvents events, and events get v7 ids unless RandomIDs.
func TestConversationsWorkload(t *testing.T) {
	for _, random := range []bool{false, true} {
		s := newCountingStore()
		cfg := appendbench.Config{Writers: 4, Events: 1000, EventsPerAppend: 3, Workload: appendbench.WorkloadConversations, StreamEvents: 10, RandomIDs: random}
		res, err := appendbench.Run(context.Background(), s, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Events != 1000 || len(s.ids) != 1000 || !strings.Contains(res.String(), "conversations workload") {
			t.Fatalf("result %s with %d distinct ids, want 1000 events", res, len(s.ids))
		}
		// Appends of 3 fill a stream of 10 with 12 events, 4 appends; each
		// writer's last stream may hold fewer.
		if n := len(s.streams); n < 1000/12 || n > 1000/12+4 {
			t.Fatalf("%d streams, want about %d", n, 1000/12)
		}
		for stream, v := range s.versions {
			if !strings.HasPrefix(stream, "bench-") || v >= 12 {
				t.Fatalf("stream %s holds %d events, want at most 12", stream, v+1)
			}
		}
		want := uuid.Version(7)
		if random {
			want = 4
		}
		for id := range s.ids {
			if id.Version() != want {
				t.Fatalf("RandomIDs %v: id %s is version %d, want %d", random, id, id.Version(), want)
			}
		}
	}
}

func TestParseWorkload(t *testing.T) {
	for _, w := range []appendbench.Workload{appendbench.WorkloadRandom, appendbench.WorkloadConversations} {
		if got, err := appendbench.ParseWorkload(string(w)); got != w || err != nil {
			t.Fatalf("ParseWorkload(%q) = %q, %v", w, got, err)
		}
	}
	if _, err := appendbench.ParseWorkload("hot"); err == nil {
		t.Fatal("ParseWorkload accepted an unknown workload")
	}
}
