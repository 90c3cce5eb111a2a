package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// TestReadAllLeanMatchesReadAll: every page of ReadAllLean holds the same
// events as ReadAll's, field for field, whatever the page size and start,
// and reusing the previous page as buf leaves the events kept from it
// intact.
func TestReadAllLeanMatchesReadAll(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	for i := range 50 {
		e := eventstore.EventData{ID: uuid.New(), Type: fmt.Sprintf("Type%d", i%3), Schema: 1 + i%2,
			Data: fmt.Appendf(nil, `{"n":%d,"text":"héllo %d"}`, i, i), Metadata: fmt.Appendf(nil, `{"actor":"a%d"}`, i)}
		if i%7 == 0 {
			e.Metadata = nil // stored as the empty text
		}
		if _, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%5), eventstore.Any, []eventstore.EventData{e}); err != nil {
			t.Fatal(err)
		}
	}
	want, err := s.ReadAll(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []int{1, 7, 50, 1000} {
		for _, after := range []uint64{0, 13, 49, 50} {
			var got, buf []eventstore.LeanEvent
			for cur := after; ; {
				buf, err = s.ReadAllLean(ctx, cur, page, buf)
				if err != nil {
					t.Fatalf("ReadAllLean(after %d, max %d): %v", cur, page, err)
				}
				if len(buf) > page {
					t.Fatalf("ReadAllLean(after %d, max %d) returned %d events", cur, page, len(buf))
				}
				if len(buf) == 0 {
					break
				}
				got = append(got, buf...)
				cur = buf[len(buf)-1].Position
			}
			if err := sameLean(got, want[after:]); err != nil {
				t.Errorf("page %d after %d: %v", page, after, err)
			}
		}
	}
}

func sameLean(got []eventstore.LeanEvent, want []eventstore.RecordedEvent) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d events, want %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i].Lean()
		if g.Position != w.Position || g.Stream != w.Stream || g.Version != w.Version || g.Type != w.Type ||
			g.Schema != w.Schema || !g.RecordedAt.Equal(w.RecordedAt) || g.RecordedAt.Location() != w.RecordedAt.Location() ||
			!bytes.Equal(g.Data, w.Data) || !bytes.Equal(g.Metadata, w.Metadata) {
			return fmt.Errorf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	return nil
}

func TestReadAllLeanRefusesBadInput(t *testing.T) {
	path, _ := seedLedger(t)
	tamper(t, path, `UPDATE events SET recorded_at = replace(recorded_at, 'Z', '+00:00') WHERE position = 8`)
	s := openAt(t, path)
	ctx := context.Background()
	if _, err := s.ReadAllLean(ctx, 0, 100, nil); err == nil || !strings.Contains(err.Error(), "position 8") {
		t.Errorf("ReadAllLean over a rewritten time = %v, want an error naming position 8", err)
	}
	if _, err := s.ReadAllLean(ctx, 0, 0, nil); err == nil {
		t.Error("ReadAllLean with max 0 succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadAllLean(ctx, 0, 10, nil); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("ReadAllLean after Close = %v, want ErrClosed", err)
	}
}

// TestReadAllBulkMatchesReadAll: ReadAll reads pages of bulkReadMin events
// or more from the driver directly, smaller ones through database/sql;
// both give the same events.
func TestReadAllBulkMatchesReadAll(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	for i := range 600 {
		e := eventstore.EventData{ID: uuid.New(), Type: fmt.Sprintf("Type%d", i%3), Schema: 1 + i%2,
			Data: fmt.Appendf(nil, `{"n":%d,"text":"héllo %d"}`, i, i), Metadata: fmt.Appendf(nil, `{"actor":"a%d"}`, i)}
		if i%7 == 0 {
			e.Metadata = nil
		}
		if _, err := s.Append(ctx, fmt.Sprintf("stream-%d", i%5), eventstore.Any, []eventstore.EventData{e}); err != nil {
			t.Fatal(err)
		}
	}
	var small []eventstore.RecordedEvent
	for after := uint64(0); ; {
		page, err := s.ReadAll(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		small, after = append(small, page...), page[len(page)-1].Position
	}
	bulk, err := s.ReadAll(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(bulk) != 600 || len(small) != 600 {
		t.Fatalf("read %d events in bulk and %d in small pages, want 600", len(bulk), len(small))
	}
	for i := range bulk {
		b, w := bulk[i], small[i]
		if b.Position != w.Position || b.ID != w.ID || b.Stream != w.Stream || b.Version != w.Version || b.Type != w.Type ||
			b.Schema != w.Schema || !bytes.Equal(b.Data, w.Data) || !bytes.Equal(b.Metadata, w.Metadata) ||
			!b.RecordedAt.Equal(w.RecordedAt) || b.PrevHash != w.PrevHash || b.Hash != w.Hash {
			t.Fatalf("event %d reads %+v in bulk, %+v in a small page", i, b, w)
		}
	}
	if after, err := s.ReadAll(ctx, 590, sqlite.BulkReadMin); err != nil || len(after) != 10 || after[0].Position != 591 {
		t.Fatalf("a bulk read near the head: %d events, %v", len(after), err)
	}
}
