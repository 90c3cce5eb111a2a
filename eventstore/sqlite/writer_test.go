package sqlite_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/appendbench"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// TestCheckpointsDoNotInvalidateCaches: the background checkpointer's work
// must not look like another writer to the store (which would reload its
// stream heads before every batch).
func TestCheckpointsDoNotInvalidateCaches(t *testing.T) {
	var logs sqlite.SyncBuffer
	s := openTemp(t, sqlite.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	ctx := context.Background()
	if _, err := appendbench.Run(ctx, s, appendbench.Config{Writers: 16, Events: 5000, EventsPerAppend: 5, Streams: 100}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "event store checkpoint") {
		t.Fatalf("no background checkpoint ran:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "changed by another connection") {
		t.Fatalf("a checkpoint invalidated the writer's caches:\n%s", logs.String())
	}
	rep, err := eventstore.Verify(ctx, s, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != 5000 {
		t.Fatalf("verify = %+v, %v", rep, err)
	}
}

// TestTwoStoresOnOneFile: a second writer on the same file (another
// process, say) is noticed through PRAGMA data_version; each store reloads
// its stream heads and positions and neither overwrites the other.
func TestTwoStoresOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, b := openAt(t, path), openAt(t, path)
	ctx := context.Background()
	one := func(n int) []eventstore.EventData {
		return []eventstore.EventData{{ID: uuid.New(), Type: "Noted", Data: fmt.Appendf(nil, `{"n":%d}`, n)}}
	}
	steps := []struct {
		s        *sqlite.Store
		expected eventstore.ExpectedVersion
		wantPos  uint64
	}{
		{a, eventstore.NoStream, 1},
		{b, eventstore.Exact(0), 2},
		{a, eventstore.Exact(1), 3},
		{a, eventstore.Exact(2), 4},
		{b, eventstore.Exact(3), 5},
	}
	for i, st := range steps {
		res, err := st.s.Append(ctx, "shared", st.expected, one(i))
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.FirstPosition != st.wantPos {
			t.Fatalf("step %d: position %d, want %d", i, res.FirstPosition, st.wantPos)
		}
	}
	if _, err := a.Append(ctx, "shared", eventstore.Exact(3), one(9)); !eventstore.IsVersionConflict(err) {
		t.Fatalf("stale expected version on store a: %v, want a conflict", err)
	}
	rep, err := eventstore.Verify(ctx, b, nil)
	if err != nil || !rep.OK || rep.CheckedEvents != 5 {
		t.Fatalf("verify = %+v, %v", rep, err)
	}
}
