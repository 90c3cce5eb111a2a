package eventstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
)

// chained returns a store holding n correctly chained events over 3
// streams, spread over several of Verify's pages.
func chained(n int) *logStore {
	s := &logStore{}
	for i := range n {
		s.add(fmt.Sprintf("stream-%d", i%3))
	}
	return s
}

func TestVerifyAcceptsIntactLedger(t *testing.T) {
	s := chained(2500)
	var calls []uint64
	rep, err := eventstore.Verify(context.Background(), s, func(n uint64) { calls = append(calls, n) })
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.FirstBad != nil || rep.CheckedEvents != 2500 || rep.Streams != 3 || rep.LastPosition != 2500 {
		t.Fatalf("report %+v", rep)
	}
	if fmt.Sprint(calls) != "[1000 2000 2500]" {
		t.Fatalf("progress calls %v, want one per page", calls)
	}
}

func TestVerifyNamesFirstBadEvent(t *testing.T) {
	cases := []struct {
		name   string
		pos    uint64 // position of the event to break, and the one named
		break_ func(e *eventstore.RecordedEvent)
		reason string
	}{
		{"data byte", 1500, func(e *eventstore.RecordedEvent) { e.Data[2]++ }, "hash mismatch"},
		{"metadata", 7, func(e *eventstore.RecordedEvent) { e.Metadata = []byte(`{"x":1}`) }, "hash mismatch"},
		{"id", 8, func(e *eventstore.RecordedEvent) { e.ID[0]++ }, "hash mismatch"},
		{"recorded_at", 9, func(e *eventstore.RecordedEvent) { e.RecordedAt = e.RecordedAt.Add(1) }, "hash mismatch"},
		{"first event with prev hash", 2, func(e *eventstore.RecordedEvent) { e.PrevHash = "00" }, "prev_hash"},
		{"broken link", 10, func(e *eventstore.RecordedEvent) { e.PrevHash = strings.Repeat("0", 64) }, "prev_hash"},
		{"version skipped", 11, func(e *eventstore.RecordedEvent) { e.Version++ }, "version gap"},
		{"first version not 0", 3, func(e *eventstore.RecordedEvent) { e.Version = 1 }, "version gap"},
		{"position skipped", 12, func(e *eventstore.RecordedEvent) { e.Position = 13 }, "position gap"},
		{"hash replaced", 2499, func(e *eventstore.RecordedEvent) { e.Hash = strings.Repeat("a", 64) }, "hash mismatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := chained(2500)
			want := s.events[tc.pos-1]
			tc.break_(&s.events[tc.pos-1])
			rep, err := eventstore.Verify(context.Background(), s, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || rep.FirstBad == nil {
				t.Fatalf("verify passed: %+v", rep)
			}
			if rep.FirstBad.Position != s.events[tc.pos-1].Position || rep.FirstBad.ID != s.events[tc.pos-1].ID || rep.FirstBad.Stream != want.Stream {
				t.Fatalf("named %s, want position %d id %s", rep.FirstBad, tc.pos, s.events[tc.pos-1].ID)
			}
			if !strings.Contains(rep.FirstBad.Reason, tc.reason) {
				t.Fatalf("reason %q, want it to mention %q", rep.FirstBad.Reason, tc.reason)
			}
			if rep.CheckedEvents != tc.pos {
				t.Fatalf("checked %d events, want %d", rep.CheckedEvents, tc.pos)
			}
		})
	}
}

func TestVerifyReportsReadErrors(t *testing.T) {
	s := chained(10)
	s.Close()
	if _, err := eventstore.Verify(context.Background(), s, nil); err == nil {
		t.Fatal("verify of an unreadable store returned no error")
	}
}

// filingStore is a logStore that files some events wrongly, as a store's
// stream lookup structure can be changed without touching the chain.
type filingStore struct {
	*logStore
	misfiled map[uint64]string
	asked    [][2]uint64
}

func (s *filingStore) MisfiledEvents(_ context.Context, after, upto uint64) (map[uint64]string, error) {
	s.asked = append(s.asked, [2]uint64{after, upto})
	out := make(map[uint64]string)
	for pos, reason := range s.misfiled {
		if pos > after && pos <= upto {
			out[pos] = reason
		}
	}
	return out, nil
}

// TestVerifyAsksFilingChecker: a FilingChecker is asked about every page;
// the first misfiled event is named, unless a chain check fails first.
func TestVerifyAsksFilingChecker(t *testing.T) {
	s := &filingStore{logStore: chained(2500), misfiled: map[uint64]string{1700: "filed under stream_id 9", 2100: "filed under stream_id 3"}}
	rep, err := eventstore.Verify(context.Background(), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.FirstBad.Position != 1700 || rep.FirstBad.Reason != "filed under stream_id 9" || rep.CheckedEvents != 1700 {
		t.Fatalf("report %+v, first bad %v; want position 1700 named as misfiled", rep, rep.FirstBad)
	}
	// The pages up to the bad one, and perhaps those read ahead of it.
	if len(s.asked) < 2 || fmt.Sprint(s.asked[:2]) != "[[0 1000] [1000 2000]]" || (len(s.asked) == 3 && s.asked[2] != [2]uint64{2000, 2500}) || len(s.asked) > 3 {
		t.Fatalf("asked about %v, want one range per page read", s.asked)
	}

	s.events[1699].Data[2]++ // the chain's reason comes first
	rep, err = eventstore.Verify(context.Background(), s, nil)
	if err != nil || rep.FirstBad.Position != 1700 || !strings.Contains(rep.FirstBad.Reason, "hash mismatch") {
		t.Fatalf("report %+v, %v; want the hash mismatch at 1700", rep.FirstBad, err)
	}
}

// sparseStore is a log whose positions have gaps, as EventStoreDB's do.
type sparseStore struct{ *logStore }

func (sparseStore) SparsePositions() bool { return true }

func TestVerifySparsePositionsNeedOnlyGrow(t *testing.T) {
	spread := func(positions ...uint64) *logStore {
		s := chained(len(positions))
		for i := range s.events {
			s.events[i].Position = positions[i]
		}
		return s
	}
	cases := []struct {
		name   string
		store  eventstore.Store
		wantOK bool
	}{
		{"gaps in a sparse store", sparseStore{spread(7, 19, 20, 311)}, true},
		{"gaps in a gap-free store", spread(7, 19, 20, 311), false},
		{"a repeated position in a sparse store", sparseStore{spread(7, 19, 19, 311)}, false},
	}
	for _, tc := range cases {
		rep, err := eventstore.Verify(context.Background(), tc.store, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK != tc.wantOK {
			t.Errorf("%s: OK = %v, want %v (%s)", tc.name, rep.OK, tc.wantOK, rep.FirstBad)
		}
	}
}

// TestVerifyNamesAGapOfWholePages: events deleted by the page (more than
// one of Verify's pages of positions, none left in between) are named as
// a gap, not taken for the end of the ledger.
func TestVerifyNamesAGapOfWholePages(t *testing.T) {
	for _, gap := range [][2]uint64{{1001, 2000}, {1001, 3000}, {501, 2700}} {
		s := chained(5000)
		var kept []eventstore.RecordedEvent
		for _, e := range s.events {
			if e.Position < gap[0] || e.Position > gap[1] {
				kept = append(kept, e)
			}
		}
		s.events = kept
		rep, err := eventstore.Verify(context.Background(), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || rep.FirstBad == nil || rep.FirstBad.Position != gap[1]+1 || !strings.Contains(rep.FirstBad.Reason, "position gap") {
			t.Errorf("positions %d to %d deleted: report %+v, first bad %v; want the gap named at %d", gap[0], gap[1], rep, rep.FirstBad, gap[1]+1)
		}
	}
}
