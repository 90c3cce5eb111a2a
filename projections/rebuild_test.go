package projections

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestRebuildEqualsIncremental checks that replaying the log with Rebuild
// (large batches, deferred indexes, bulk loading, the lean bulk read) gives
// the same read models, row for row, as following it batch by batch.
func TestRebuildEqualsIncremental(t *testing.T) {
	h := newHarness(t)
	h.generated(3000)
	head, _ := h.store.HeadPosition(h.ctx)

	// The incremental run reads with ReadAll, the rebuild with the
	// store's lean bulk read: they must not differ either.
	incremental := h.openReadDB("incremental.db")
	r := NewRunner(plainStore{h.store}, incremental, quietLogger, Standard()...)
	r.catchUpPage, r.maxBatchEvents = 50, 120 // many small batches
	runUntil(t, h, r, head)

	rebuilt := h.openReadDB("rebuilt.db")
	rr := NewRunner(h.store, rebuilt, quietLogger, Standard()...)
	var calls int
	var last [2]uint64
	if err := rr.Rebuild(h.ctx, func(done, total uint64) {
		calls++
		last = [2]uint64{done, total}
	}); err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != [2]uint64{head, head} {
		t.Errorf("progress called %d times, last with %v, want it to end at %d of %d", calls, last, head, head)
	}
	if rr.Position() != head {
		t.Errorf("position after rebuild %d, want %d", rr.Position(), head)
	}
	compareDumps(t, incremental, rebuilt)

	// Rebuilding again, in place and only some projections, changes nothing.
	if err := rr.Rebuild(h.ctx, nil, "customer360", "tickets"); err != nil {
		t.Fatal(err)
	}
	compareDumps(t, incremental, rebuilt)
}

func runUntil(t *testing.T, h *harness, r *Runner, pos uint64) {
	t.Helper()
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	h.wait(r, pos)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRebuildUnknownProjection(t *testing.T) {
	h := newHarness(t)
	r := NewRunner(h.store, h.db, quietLogger, Standard()...)
	if err := r.Rebuild(h.ctx, nil, "tickets", "horoscopes"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("Rebuild(horoscopes) = %v, want invalid", err)
	}
}

// TestRebuildWhileRunning rebuilds under a running runner while events
// keep arriving; afterwards the read models equal a fresh run's.
func TestRebuildWhileRunning(t *testing.T) {
	h := newHarness(t)
	h.generated(1500)
	r := h.start(h.db)
	head, _ := h.store.HeadPosition(h.ctx)
	h.wait(r, head)

	done := make(chan error, 1)
	go func() { done <- r.Rebuild(h.ctx, nil, "interactions", "queues") }()
	pos := h.append(concat(registered("late", "Late Comer", phone2),
		interaction("late-i", "late", domain.ChannelSMS, phone2, 500, 5, "hi", "hello"))...)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.wait(r, pos)

	fresh := h.openReadDB("fresh.db")
	h.runToHead(fresh)
	compareDumps(t, fresh, h.db)
}

// TestRunBulkCatchUp starts a runner on an empty read database over a long
// log: it loads it the way Rebuild does, then follows live, and ends with
// the same read models as a runner that went batch by batch.
func TestRunBulkCatchUp(t *testing.T) {
	h := newHarness(t)
	h.generated(2000)
	head, _ := h.store.HeadPosition(h.ctx)

	slow := h.openReadDB("slow.db")
	r := NewRunner(h.store, slow, quietLogger, Standard()...)
	r.bulkThreshold = ^uint64(0) // never
	runUntil(t, h, r, head)

	bulk := h.openReadDB("bulk.db")
	rb := NewRunner(h.store, bulk, quietLogger, Standard()...)
	rb.bulkThreshold = 100
	runUntil(t, h, rb, head)
	compareDumps(t, slow, bulk)
	var marker int
	if err := bulk.r.QueryRow(`SELECT COUNT(*) FROM read_db_state`).Scan(&marker); err != nil || marker != 0 {
		t.Errorf("bulk load marker left behind: %d, %v", marker, err)
	}
}

// TestOpenReadDBAfterInterruptedBulkLoad: a bulk load marker found on
// open resets the projections it names (every one for an earlier build's
// marker) and only those, which then rebuild from the log; a damaged file
// is replaced by an empty database.
func TestOpenReadDBAfterInterruptedBulkLoad(t *testing.T) {
	h := newHarness(t)
	h.generated(800)
	head, _ := h.store.HeadPosition(h.ctx)
	whole := h.openReadDB("whole.db")
	h.runToHead(whole)

	for _, c := range []struct {
		name, marker string
		reset        []string
	}{
		{"named projections", `{"projections":["queues","tickets"],"phase":"loading"}`, []string{"queues", "tickets"}},
		{"syncing phase", `{"projections":["identities"],"phase":"syncing"}`, []string{"identities"}},
		{"earlier build's marker", `1`, h.projectionNames()},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "interrupted.db")
			db, err := OpenReadDB(h.ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			h.runToHead(db)
			if _, err := db.w.Exec(`INSERT INTO read_db_state (key, value) VALUES ('bulk_load', ?)`, c.marker); err != nil {
				t.Fatal(err)
			}
			db.Close()

			db, err = OpenReadDB(h.ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n := count(t, db, "read_db_state", "1"); n != 0 {
				t.Errorf("marker kept after recovery")
			}
			for _, name := range h.projectionNames() {
				want := head
				if slices.Contains(c.reset, name) {
					want = 0
				}
				if n := count(t, db, "checkpoints", "projection = ? AND position = ?", name, want); n != 1 {
					t.Errorf("checkpoint of %s is not at %d after recovery", name, want)
				}
			}
			if n := count(t, db, "tickets", "1"); slices.Contains(c.reset, "tickets") && n != 0 {
				t.Errorf("%d tickets left in a reset projection", n)
			}
			h.runToHead(db)
			compareDumps(t, whole, db)
		})
	}

	t.Run("damaged file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "damaged.db")
		db, err := OpenReadDB(h.ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		h.runToHead(db)
		if _, err := db.w.Exec(`INSERT INTO read_db_state (key, value) VALUES ('bulk_load', '{"projections":["tickets"]}')`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		damage(t, path)

		db, err = OpenReadDB(h.ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if n := count(t, db, "checkpoints", "position > 0"); n != 0 {
			t.Errorf("%d checkpoints survived in a damaged file", n)
		}
	})
}

// TestRebuildCrashImage copies the read database's files in the middle of
// a rebuild of some projections, as a crash would leave them, and opens
// the copy: the projections being rebuilt start over, the others keep
// their content, and running to the head gives the same read models as
// an uninterrupted run. After the rebuild itself finishes, the marker is
// gone and syncing is back on.
func TestRebuildCrashImage(t *testing.T) {
	h := newHarness(t)
	h.generated(1500)
	head, _ := h.store.HeadPosition(h.ctx)
	h.runToHead(h.db)

	r := NewRunner(h.store, h.db, quietLogger, Standard()...)
	r.rebuildBatchEvents = 200
	crash := filepath.Join(h.dir, "crash.db")
	copied := false
	if err := r.Rebuild(h.ctx, func(done, _ uint64) {
		if !copied && done > head/2 {
			copyDBFiles(t, h.db.Path(), crash) // between batches: nothing is being written
			copied = true
		}
	}, "interactions", "tickets"); err != nil {
		t.Fatal(err)
	}
	var marker int
	var sync int
	if err := h.db.w.QueryRow(`SELECT COUNT(*) FROM read_db_state`).Scan(&marker); err != nil || marker != 0 {
		t.Errorf("marker left after a finished rebuild: %d, %v", marker, err)
	}
	if err := h.db.w.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 1 {
		t.Errorf("synchronous = %d after a rebuild, want 1 (NORMAL); %v", sync, err)
	}

	db := h.openReadDB("crash.db")
	for _, name := range h.projectionNames() {
		want := head
		if name == "interactions" || name == "tickets" {
			want = 0
		}
		if n := count(t, db, "checkpoints", "projection = ? AND position = ?", name, want); n != 1 {
			t.Errorf("checkpoint of %s in the crash image is not at %d", name, want)
		}
	}
	h.runToHead(db)
	compareDumps(t, h.db, db)
}

// copyDBFiles copies a SQLite database and its WAL.
func copyDBFiles(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(from + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func (h *harness) projectionNames() []string {
	var names []string
	for _, p := range Standard() {
		names = append(names, p.Name())
	}
	return names
}

// damage overwrites the middle of a database file with garbage.
func damage(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	junk := make([]byte, st.Size()/2)
	for i := range junk {
		junk[i] = 0xA5
	}
	if _, err := f.WriteAt(junk, st.Size()/4); err != nil {
		t.Fatal(err)
	}
}
