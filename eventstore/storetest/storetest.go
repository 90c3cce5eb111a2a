// Package storetest is the conformance suite every eventstore.Store back
// end must pass: optimistic concurrency, idempotent appends, input
// validation, total order under concurrent writers, catch-up-then-live
// subscriptions, paging and the hash chain.
//
// A back end's tests call Run with a function that opens a fresh, empty
// store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) eventstore.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "ledger.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

// Writers is how many goroutines the concurrency tests run.
const Writers = 64

// testTimeout bounds every test that waits, so a broken store fails
// instead of hanging.
const testTimeout = 2 * time.Minute

// Run runs the conformance suite. open must return a new, empty store for
// each call and arrange for it to be closed when the test ends (the suite
// may close it earlier; Close must tolerate a second call).
func Run(t *testing.T, open func(t *testing.T) eventstore.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s eventstore.Store)
	}{
		{"ExpectedVersionAny", testExpectedAny},
		{"ExpectedVersionNoStream", testExpectedNoStream},
		{"ExpectedVersionExact", testExpectedExact},
		{"ConflictWritesNothing", testConflictWritesNothing},
		{"IdempotentReappend", testIdempotentReappend},
		{"IdempotentConcurrentRetries", testIdempotentConcurrentRetries},
		{"DifferentEventUnderStoredID", testDifferentEventUnderStoredID},
		{"PartialIDOverlap", testPartialIDOverlap},
		{"InvalidInput", testInvalidInput},
		{"RoundTrip", testRoundTrip},
		{"ReadStreamPaging", testReadStreamPaging},
		{"ReadAllPaging", testReadAllPaging},
		{"HeadPosition", testHeadPosition},
		{"ConcurrentWritersOrdering", testConcurrentOrdering},
		{"ConcurrentNoStreamReservation", testNoStreamReservation},
		{"ConcurrentOptimisticUpdates", testOptimisticUpdates},
		{"SubscribeCatchUpThenLive", testSubscribeCatchUpThenLive},
		{"SubscribeFromHead", testSubscribeFromHead},
		{"SubscriptionEnds", testSubscriptionEnds},
		{"HashChain", testHashChain},
		{"VerifyDetectsNothingOnCleanStore", testVerifyEmpty},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// testContext is the context every test waits under.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newEvent returns an event with a fresh id and distinguishable content.
func newEvent(typ string, n int) eventstore.EventData {
	return eventstore.EventData{
		ID:       uuid.New(),
		Type:     typ,
		Schema:   1,
		Data:     fmt.Appendf(nil, `{"n":%d,"note":"event %d"}`, n, n),
		Metadata: []byte(`{"actor":"storetest"}`),
	}
}

// newEvents returns n events of type typ.
func newEvents(typ string, n int) []eventstore.EventData {
	evs := make([]eventstore.EventData, n)
	for i := range evs {
		evs[i] = newEvent(typ, i)
	}
	return evs
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, expected eventstore.ExpectedVersion, evs []eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(testContext(t), stream, expected, evs)
	if err != nil {
		t.Fatalf("append %d events to %s (expected %s): %v", len(evs), stream, expected, err)
	}
	return res
}

// ReadAll returns every event of s's $all, in order: for tests outside
// the suite that compare whole ledgers.
func ReadAll(t *testing.T, s eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	return readAll(t, s, 1000)
}

// readAll reads the whole of $all in pages of page events.
func readAll(t *testing.T, s eventstore.Store, page int) []eventstore.RecordedEvent {
	t.Helper()
	var all []eventstore.RecordedEvent
	var after uint64
	for {
		evs, err := s.ReadAll(testContext(t), after, page)
		if err != nil {
			t.Fatalf("read $all after %d: %v", after, err)
		}
		if len(evs) > page {
			t.Fatalf("read $all after %d max %d: got %d events", after, page, len(evs))
		}
		if len(evs) == 0 {
			return all
		}
		all = append(all, evs...)
		after = evs[len(evs)-1].Position
	}
}

// readStream reads a whole stream.
func readStream(t *testing.T, s eventstore.Store, stream string) []eventstore.RecordedEvent {
	t.Helper()
	evs, err := s.ReadStream(testContext(t), stream, 0, 1<<20)
	if err != nil {
		t.Fatalf("read stream %s: %v", stream, err)
	}
	return evs
}

// head returns the store's head position.
func head(t *testing.T, s eventstore.Store) uint64 {
	t.Helper()
	h, err := s.HeadPosition(testContext(t))
	if err != nil {
		t.Fatalf("head position: %v", err)
	}
	return h
}

// wantVersionConflict asserts err is a *VersionConflictError with the given
// fields.
func wantVersionConflict(t *testing.T, err error, stream string, expected eventstore.ExpectedVersion, actual int64) {
	t.Helper()
	var vc *eventstore.VersionConflictError
	if !errors.As(err, &vc) {
		t.Fatalf("want *VersionConflictError, got %v", err)
	}
	if vc.Stream != stream || vc.Expected != expected || vc.Actual != actual {
		t.Fatalf("conflict = {stream %s expected %s actual %d}, want {%s %s %d}", vc.Stream, vc.Expected, vc.Actual, stream, expected, actual)
	}
	if !eventstore.IsVersionConflict(err) {
		t.Fatalf("IsVersionConflict(%v) = false", err)
	}
}

// wantIDConflict asserts err is an *EventIDConflictError.
func wantIDConflict(t *testing.T, err error) *eventstore.EventIDConflictError {
	t.Helper()
	var ic *eventstore.EventIDConflictError
	if !errors.As(err, &ic) {
		t.Fatalf("want *EventIDConflictError, got %v", err)
	}
	return ic
}

// ids returns the ids of evs.
func ids(evs []eventstore.RecordedEvent) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// wantIDs asserts the recorded events carry exactly the proposed ids, in
// order.
func wantIDs(t *testing.T, got []eventstore.RecordedEvent, want []eventstore.EventData) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID {
			t.Fatalf("event %d: id %s, want %s", i, got[i].ID, want[i].ID)
		}
	}
}
