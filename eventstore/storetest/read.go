package storetest

import (
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
)

func testReadStreamPaging(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	evs := newEvents("Noted", 25)
	mustAppend(t, s, "paged", eventstore.NoStream, evs[:10])
	mustAppend(t, s, "noise", eventstore.Any, newEvents("Noted", 4))
	mustAppend(t, s, "paged", eventstore.Exact(9), evs[10:])

	cases := []struct {
		from      int64
		max       int
		wantFirst int64
		wantLen   int
	}{
		{0, 10, 0, 10},
		{10, 10, 10, 10},
		{20, 10, 20, 5},
		{7, 3, 7, 3},
		{24, 100, 24, 1},
		{25, 10, 0, 0},
		{1000, 10, 0, 0},
		{0, 1000, 0, 25},
	}
	for _, tc := range cases {
		got, err := s.ReadStream(ctx, "paged", tc.from, tc.max)
		if err != nil {
			t.Fatalf("read from %d max %d: %v", tc.from, tc.max, err)
		}
		if len(got) != tc.wantLen {
			t.Fatalf("read from %d max %d: %d events, want %d", tc.from, tc.max, len(got), tc.wantLen)
		}
		for i, e := range got {
			v := tc.wantFirst + int64(i)
			if e.Version != v || e.ID != evs[v].ID || e.Stream != "paged" {
				t.Fatalf("read from %d: event %d is %s version %d, want version %d id %s", tc.from, i, e.Stream, e.Version, v, evs[v].ID)
			}
		}
	}
	// Paging through with the last version + 1 visits every event once.
	var seen []eventstore.RecordedEvent
	for from := int64(0); ; {
		page, err := s.ReadStream(ctx, "paged", from, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		seen = append(seen, page...)
		from = page[len(page)-1].Version + 1
	}
	wantIDs(t, seen, evs)

	missing, err := s.ReadStream(ctx, "no-such-stream", 0, 10)
	if err != nil || len(missing) != 0 {
		t.Fatalf("read missing stream = %d events, %v; want none and no error", len(missing), err)
	}
}

func testReadAllPaging(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	for i := range 7 {
		mustAppend(t, s, fmt.Sprintf("all-%d", i%3), eventstore.Any, newEvents("Noted", 3))
	}
	cases := []struct {
		after   uint64
		max     int
		wantLen int
	}{
		{0, 5, 5},
		{5, 5, 5},
		{20, 5, 1},
		{21, 5, 0},
		{100, 5, 0},
		{0, 100, 21},
	}
	for _, tc := range cases {
		got, err := s.ReadAll(ctx, tc.after, tc.max)
		if err != nil {
			t.Fatalf("read $all after %d max %d: %v", tc.after, tc.max, err)
		}
		if len(got) != tc.wantLen {
			t.Fatalf("read $all after %d max %d: %d events, want %d", tc.after, tc.max, len(got), tc.wantLen)
		}
		for i, e := range got {
			if e.Position != tc.after+uint64(i)+1 {
				t.Fatalf("read $all after %d: event %d at position %d", tc.after, i, e.Position)
			}
		}
	}
	for _, page := range []int{1, 2, 20} {
		all := readAll(t, s, page)
		checkGapFree(t, all)
		if len(all) != 21 {
			t.Fatalf("paging by %d read %d events, want 21", page, len(all))
		}
	}
}

func testHeadPosition(t *testing.T, s eventstore.Store) {
	if h := head(t, s); h != 0 {
		t.Fatalf("empty store head %d, want 0", h)
	}
	mustAppend(t, s, "h", eventstore.NoStream, newEvents("Noted", 4))
	if h := head(t, s); h != 4 {
		t.Fatalf("head %d, want 4", h)
	}
	_, _ = s.Append(testContext(t), "h", eventstore.NoStream, newEvents("Noted", 2)) // conflict
	res := mustAppend(t, s, "h2", eventstore.Any, newEvents("Noted", 2))
	if h := head(t, s); h != 6 || res.LastPosition != 6 {
		t.Fatalf("head %d, last position %d, want 6", h, res.LastPosition)
	}
}
