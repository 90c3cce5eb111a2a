package sqlite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

func oneEvent() []eventstore.EventData {
	return []eventstore.EventData{{ID: uuid.Must(uuid.NewV7()), Type: "Noted", Schema: 1, Data: []byte(`{"n":1}`)}}
}

// TestSoleWriterExcludesOtherWriters: while a sole writer has the file
// open, another store may read it but not append, and a sole writer
// cannot open a file another store is appending to; closing lets the
// other in.
func TestSoleWriterExcludesOtherWriters(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ledger.db")
	sole, err := sqlite.Open(ctx, path, sqlite.WithSoleWriter())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sole.Append(ctx, "s-1", eventstore.NoStream, oneEvent()); err != nil {
		t.Fatal(err)
	}
	other := openAt(t, path)
	if got, err := other.ReadStream(ctx, "s-1", 0, 10); err != nil || len(got) != 1 {
		t.Fatalf("another store reads %d events, err %v; want 1", len(got), err)
	}
	if _, err := other.Append(ctx, "s-2", eventstore.NoStream, oneEvent()); !errors.Is(err, sqlite.ErrWriterLocked) {
		t.Fatalf("append beside a sole writer: err = %v, want ErrWriterLocked", err)
	}
	if _, err := sqlite.Open(ctx, path, sqlite.WithSoleWriter()); !errors.Is(err, sqlite.ErrWriterLocked) {
		t.Fatalf("a second sole writer: err = %v, want ErrWriterLocked", err)
	}
	if err := sole.Close(); err != nil {
		t.Fatal(err)
	}
	writer := openAt(t, path)
	if _, err := writer.Append(ctx, "s-2", eventstore.NoStream, oneEvent()); err != nil {
		t.Fatalf("append after the sole writer closed: %v", err)
	}
	if _, err := sqlite.Open(ctx, path, sqlite.WithSoleWriter()); !errors.Is(err, sqlite.ErrWriterLocked) {
		t.Fatalf("a sole writer beside a store that appends: err = %v, want ErrWriterLocked", err)
	}
}

// TestSoleWriterReadsPastTheHead: reads starting past a stream's head
// find nothing, and every event appended since, however it was appended
// (one at a time, several at once, concurrently with other streams).
func TestSoleWriterReadsPastTheHead(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t, sqlite.WithSoleWriter())
	version := int64(-1)
	for round := range 20 {
		n := 1 + round%3
		events := make([]eventstore.EventData, n)
		for i := range events {
			events[i] = oneEvent()[0]
		}
		if got, err := s.ReadStream(ctx, "s-1", version+1, 100); err != nil || len(got) != 0 {
			t.Fatalf("round %d: read past the head: %d events, err %v", round, len(got), err)
		}
		expected := eventstore.NoStream
		if version >= 0 {
			expected = eventstore.Exact(version)
		}
		res, err := s.Append(ctx, "s-1", expected, events)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ReadStream(ctx, "s-1", version+1, 100)
		if err != nil || len(got) != n || got[0].Version != version+1 {
			t.Fatalf("round %d: read after appending %d at %d: %d events, err %v", round, n, version+1, len(got), err)
		}
		version = res.NextExpectedVersion
	}
}

// TestSoleWriterNewStreamsRacingReads reads new streams while they get
// their first events: once an append has returned, every read from the
// start finds its event, although reads that began before it may have
// recorded the stream as empty.
func TestSoleWriterNewStreamsRacingReads(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t, sqlite.WithSoleWriter())
	const streams = 200
	var wg sync.WaitGroup
	for i := range streams {
		stream := fmt.Sprintf("new-%d", i)
		stop := make(chan struct{})
		wg.Go(func() { // keeps asking, as a cached aggregate would
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.ReadStream(ctx, stream, 0, 10); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			defer close(stop)
			if _, err := s.Append(ctx, stream, eventstore.NoStream, oneEvent()); err != nil {
				t.Error(err)
				return
			}
			if got, err := s.ReadStream(ctx, stream, 0, 10); err != nil || len(got) != 1 {
				t.Errorf("%s after its append: %d events, err %v; want 1", stream, len(got), err)
			}
		})
	}
	wg.Wait()
}

// TestSoleWriterServesTheLogTailAsStored: what a sole writer answers
// from its in-memory tail of the log, while appends race with the reads,
// is event for event what the database holds.
func TestSoleWriterServesTheLogTailAsStored(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ledger.db")
	sole := openAt(t, path, sqlite.WithSoleWriter())
	const writers, appends = 8, 60
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range appends {
				events := oneEvent()
				if i%3 == 0 {
					events = append(events, oneEvent()...)
				}
				if _, err := sole.Append(ctx, fmt.Sprintf("w%d-%d", w, i/10), eventstore.Any, events); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var fromTail []eventstore.RecordedEvent
	tailDone := make(chan struct{})
	go func() { // a follower reading as the log grows, in small pages
		defer close(tailDone)
		want := writers * (appends + appends/3)
		for after := uint64(0); len(fromTail) < want; {
			page, err := sole.ReadAll(ctx, after, 7)
			if err != nil {
				t.Error(err)
				return
			}
			for _, e := range page {
				if e.Position != after+1 {
					t.Errorf("read after %d got position %d", after, e.Position)
					return
				}
				after = e.Position
			}
			fromTail = append(fromTail, page...)
		}
	}()
	wg.Wait()
	<-tailDone
	stored, err := openAt(t, path).ReadAll(ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromTail) != len(stored) {
		t.Fatalf("read %d events from the sole writer, %d are stored", len(fromTail), len(stored))
	}
	for i := range stored {
		if !reflect.DeepEqual(fromTail[i], stored[i]) {
			t.Fatalf("event %d:\n read   %+v\n stored %+v", i, fromTail[i], stored[i])
		}
	}
}
