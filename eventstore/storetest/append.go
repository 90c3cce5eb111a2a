package storetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

func testExpectedAny(t *testing.T, s eventstore.Store) {
	a := newEvents("Noted", 2)
	res := mustAppend(t, s, "any-1", eventstore.Any, a)
	if res.FirstPosition != 1 || res.LastPosition != 2 || res.NextExpectedVersion != 1 {
		t.Fatalf("first append = %+v, want positions 1..2, next version 1", res)
	}
	b := newEvents("Noted", 1)
	res = mustAppend(t, s, "any-1", eventstore.Any, b)
	if res.FirstPosition != 3 || res.LastPosition != 3 || res.NextExpectedVersion != 2 {
		t.Fatalf("second append = %+v, want position 3, next version 2", res)
	}
	got := readStream(t, s, "any-1")
	wantIDs(t, got, append(a, b...))
	for i, e := range got {
		if e.Version != int64(i) || e.Stream != "any-1" {
			t.Fatalf("event %d: stream %s version %d", i, e.Stream, e.Version)
		}
	}
}

func testExpectedNoStream(t *testing.T, s eventstore.Store) {
	first := newEvents("Reserved", 1)
	res := mustAppend(t, s, "reservation-phone-1", eventstore.NoStream, first)
	if res.NextExpectedVersion != 0 || res.FirstPosition != 1 {
		t.Fatalf("append = %+v, want next version 0 at position 1", res)
	}
	_, err := s.Append(testContext(t), "reservation-phone-1", eventstore.NoStream, newEvents("Reserved", 1))
	wantVersionConflict(t, err, "reservation-phone-1", eventstore.NoStream, 0)
	wantIDs(t, readStream(t, s, "reservation-phone-1"), first)
}

func testExpectedExact(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	_, err := s.Append(ctx, "exact-1", eventstore.Exact(0), newEvents("Noted", 1))
	wantVersionConflict(t, err, "exact-1", eventstore.Exact(0), -1)

	mustAppend(t, s, "exact-1", eventstore.NoStream, newEvents("Noted", 3))
	res := mustAppend(t, s, "exact-1", eventstore.Exact(2), newEvents("Noted", 2))
	if res.NextExpectedVersion != 4 || res.FirstPosition != 4 || res.LastPosition != 5 {
		t.Fatalf("exact append = %+v, want positions 4..5, next version 4", res)
	}
	for _, stale := range []int64{0, 2, 3, 5, 100} {
		_, err := s.Append(ctx, "exact-1", eventstore.Exact(stale), newEvents("Noted", 1))
		wantVersionConflict(t, err, "exact-1", eventstore.Exact(stale), 4)
	}
	_, err = s.Append(ctx, "exact-1", eventstore.NoStream, newEvents("Noted", 1))
	wantVersionConflict(t, err, "exact-1", eventstore.NoStream, 4)
	if n := len(readStream(t, s, "exact-1")); n != 5 {
		t.Fatalf("stream has %d events, want 5", n)
	}
}

func testConflictWritesNothing(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	mustAppend(t, s, "conflict-1", eventstore.NoStream, newEvents("Opened", 2))
	mustAppend(t, s, "conflict-2", eventstore.NoStream, newEvents("Opened", 1))
	before := readAll(t, s, 100)

	rejected := newEvents("Changed", 5)
	_, err := s.Append(ctx, "conflict-1", eventstore.Exact(0), rejected)
	wantVersionConflict(t, err, "conflict-1", eventstore.Exact(0), 1)
	_, err = s.Append(ctx, "conflict-2", eventstore.NoStream, rejected)
	wantVersionConflict(t, err, "conflict-2", eventstore.NoStream, 0)

	after := readAll(t, s, 100)
	if len(after) != len(before) || head(t, s) != 3 {
		t.Fatalf("a rejected append wrote: %d events before, %d after, head %d", len(before), len(after), head(t, s))
	}
	// The rejected ids are not burnt: they can be appended for real.
	res := mustAppend(t, s, "conflict-1", eventstore.Exact(1), rejected)
	if res.FirstPosition != 4 || res.LastPosition != 8 || res.NextExpectedVersion != 6 {
		t.Fatalf("append after conflict = %+v, want positions 4..8, next version 6", res)
	}
}

func testIdempotentReappend(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	mustAppend(t, s, "other", eventstore.Any, newEvents("Noted", 2))
	evs := newEvents("MessageReceived", 3)
	first := mustAppend(t, s, "interaction-1", eventstore.NoStream, evs)
	mustAppend(t, s, "other", eventstore.Any, newEvents("Noted", 1))
	headBefore := head(t, s)

	// A retry usually carries a stale expected version; it still gets the
	// original result. Metadata may differ (a retry has a new causation).
	retry := make([]eventstore.EventData, len(evs))
	copy(retry, evs)
	retry[1].Metadata = []byte(`{"actor":"retry"}`)
	for _, expected := range []eventstore.ExpectedVersion{eventstore.NoStream, eventstore.Any, eventstore.Exact(0), eventstore.Exact(2)} {
		res, err := s.Append(ctx, "interaction-1", expected, retry)
		if err != nil {
			t.Fatalf("re-append with expected %s: %v", expected, err)
		}
		if res != first {
			t.Fatalf("re-append with expected %s = %+v, want the original %+v", expected, res, first)
		}
	}
	if h := head(t, s); h != headBefore {
		t.Fatalf("re-append wrote: head %d, want %d", h, headBefore)
	}
	got := readStream(t, s, "interaction-1")
	wantIDs(t, got, evs)
	if !bytes.Equal(got[1].Metadata, evs[1].Metadata) {
		t.Fatalf("re-append changed stored metadata to %s", got[1].Metadata)
	}
	// A retry of the first event alone is also an exact retry.
	res, err := s.Append(ctx, "interaction-1", eventstore.Exact(7), evs[:1])
	if err != nil || res.FirstPosition != first.FirstPosition || res.LastPosition != first.FirstPosition || res.NextExpectedVersion != 0 {
		t.Fatalf("re-append of first event = %+v, %v; want position %d, next version 0", res, err, first.FirstPosition)
	}
}

func testIdempotentConcurrentRetries(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	evs := newEvents("MessageReceived", 2)
	results := make([]eventstore.AppendResult, Writers)
	errs := make([]error, Writers)
	parallel(Writers, func(w int) {
		results[w], errs[w] = s.Append(ctx, "interaction-dup", eventstore.NoStream, evs)
	})
	for w := range Writers {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		if results[w] != results[0] {
			t.Fatalf("writer %d got %+v, writer 0 got %+v", w, results[w], results[0])
		}
	}
	if results[0].FirstPosition != 1 || results[0].LastPosition != 2 || results[0].NextExpectedVersion != 1 {
		t.Fatalf("result %+v, want positions 1..2, next version 1", results[0])
	}
	if n := len(readAll(t, s, 100)); n != 2 {
		t.Fatalf("store holds %d events, want 2", n)
	}
}

func testDifferentEventUnderStoredID(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	orig := newEvents("MessageReceived", 1)
	mustAppend(t, s, "interaction-2", eventstore.NoStream, orig)
	headBefore := head(t, s)

	changed := func(f func(e *eventstore.EventData)) []eventstore.EventData {
		e := orig[0]
		f(&e)
		return []eventstore.EventData{e}
	}
	cases := []struct {
		name   string
		stream string
		evs    []eventstore.EventData
	}{
		{"other stream", "interaction-3", orig},
		{"other type", "interaction-2", changed(func(e *eventstore.EventData) { e.Type = "MessageSent" })},
		{"other data", "interaction-2", changed(func(e *eventstore.EventData) { e.Data = []byte(`{"n":0,"note":"forged"}`) })},
	}
	for _, tc := range cases {
		_, err := s.Append(ctx, tc.stream, eventstore.Any, tc.evs)
		ic := wantIDConflict(t, err)
		if ic.ID != orig[0].ID {
			t.Fatalf("%s: conflict names id %s, want %s", tc.name, ic.ID, orig[0].ID)
		}
	}
	if h := head(t, s); h != headBefore {
		t.Fatalf("conflicting appends wrote: head %d, want %d", h, headBefore)
	}
	if n := len(readStream(t, s, "interaction-3")); n != 0 {
		t.Fatalf("stream interaction-3 has %d events, want 0", n)
	}
}

func testPartialIDOverlap(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	evs := newEvents("MessageReceived", 3)
	mustAppend(t, s, "interaction-4", eventstore.NoStream, evs[:2])
	fresh := newEvent("MessageReceived", 9)

	// Stored ids followed by a new one, a new one followed by a stored one,
	// and stored ids in a different order.
	for i, batch := range [][]eventstore.EventData{
		{evs[1], fresh},
		{fresh, evs[0]},
		{evs[1], evs[0]},
	} {
		_, err := s.Append(ctx, "interaction-4", eventstore.Any, batch)
		wantIDConflict(t, err)
		if n := len(readAll(t, s, 100)); n != 2 {
			t.Fatalf("case %d: store holds %d events, want 2", i, n)
		}
	}
	// The new id was not burnt either.
	res := mustAppend(t, s, "interaction-4", eventstore.Exact(1), []eventstore.EventData{evs[2], fresh})
	if res.FirstPosition != 3 || res.NextExpectedVersion != 3 {
		t.Fatalf("append = %+v, want first position 3, next version 3", res)
	}
}

func testInvalidInput(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	mustAppend(t, s, "valid", eventstore.NoStream, newEvents("Noted", 1))
	with := func(f func(e *eventstore.EventData)) []eventstore.EventData {
		e := newEvent("Noted", 1)
		f(&e)
		return []eventstore.EventData{e}
	}
	dup := newEvent("Noted", 1)
	cases := []struct {
		name     string
		stream   string
		expected eventstore.ExpectedVersion
		evs      []eventstore.EventData
	}{
		{"empty stream", "", eventstore.Any, newEvents("Noted", 1)},
		{"reserved stream", eventstore.AllStream, eventstore.Any, newEvents("Noted", 1)},
		{"dollar stream", "$system", eventstore.Any, newEvents("Noted", 1)},
		{"non-UTF-8 stream", "bad-\xff", eventstore.Any, newEvents("Noted", 1)},
		{"huge stream name", strings.Repeat("s", eventstore.MaxStreamNameLen+1), eventstore.Any, newEvents("Noted", 1)},
		{"bad expected version", "valid", eventstore.ExpectedVersion(-3), newEvents("Noted", 1)},
		{"no events", "valid", eventstore.Any, nil},
		{"nil id", "valid", eventstore.Any, with(func(e *eventstore.EventData) { e.ID = uuid.Nil })},
		{"empty type", "valid", eventstore.Any, with(func(e *eventstore.EventData) { e.Type = "" })},
		{"negative schema", "valid", eventstore.Any, with(func(e *eventstore.EventData) { e.Schema = -1 })},
		{"empty data", "valid", eventstore.Any, with(func(e *eventstore.EventData) { e.Data = nil })},
		{"data not JSON", "valid", eventstore.Any, with(func(e *eventstore.EventData) { e.Data = []byte(`{"n":`) })},
		{"data not UTF-8", "valid", eventstore.Any, with(func(e *eventstore.EventData) { e.Data = []byte("\"\xff\"") })},
		{"metadata not JSON", "valid", eventstore.Any, with(func(e *eventstore.EventData) { e.Metadata = []byte(`actor=x`) })},
		{"duplicate ids", "valid", eventstore.Any, []eventstore.EventData{dup, newEvent("Noted", 2), dup}},
		// Invalid even though one event is fine: nothing of it is written.
		{"one bad event", "valid", eventstore.Exact(0), append(newEvents("Noted", 2), with(func(e *eventstore.EventData) { e.Data = []byte("{") })...)},
	}
	for _, tc := range cases {
		_, err := s.Append(ctx, tc.stream, tc.expected, tc.evs)
		if !errors.Is(err, eventstore.ErrInvalidAppend) {
			t.Errorf("%s: err = %v, want ErrInvalidAppend", tc.name, err)
		}
	}
	if h := head(t, s); h != 1 {
		t.Fatalf("invalid appends wrote: head %d, want 1", h)
	}
}

func testRoundTrip(t *testing.T, s eventstore.Store) {
	e := eventstore.EventData{
		ID:       uuid.New(),
		Type:     "TicketOpened",
		Schema:   3,
		Data:     []byte(`{"subject":"账单问题","priority":"urgent","tags":["a","b"]}`),
		Metadata: []byte(`{"correlation_id":"c-1","channel":"wechat"}`),
	}
	bare := newEvent("TicketAssigned", 2)
	bare.Metadata = nil
	mustAppend(t, s, "ticket-1", eventstore.NoStream, []eventstore.EventData{e, bare})
	got := readStream(t, s, "ticket-1")
	if len(got) != 2 {
		t.Fatalf("read %d events, want 2", len(got))
	}
	g := got[0]
	if g.ID != e.ID || g.Type != e.Type || g.Schema != e.Schema || g.Stream != "ticket-1" || g.Version != 0 || g.Position != 1 {
		t.Fatalf("read back %+v, want %+v at version 0, position 1", g, e)
	}
	if !bytes.Equal(g.Data, e.Data) || !bytes.Equal(g.Metadata, e.Metadata) {
		t.Fatalf("payload changed: data %s metadata %s", g.Data, g.Metadata)
	}
	if g.RecordedAt.IsZero() || g.RecordedAt.Location().String() != "UTC" {
		t.Fatalf("recorded_at %v, want a UTC time", g.RecordedAt)
	}
	if string(got[1].Metadata) != "{}" {
		t.Fatalf("empty metadata stored as %q, want {}", got[1].Metadata)
	}
	if got[1].PrevHash != g.Hash || g.PrevHash != "" {
		t.Fatalf("chain: first prev %q, second prev %q, first hash %q", g.PrevHash, got[1].PrevHash, g.Hash)
	}
}
