package projections

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestRebuildEqualsIncremental checks that replaying the log with Rebuild
// (large batches, deferred indexes, bulk loading) gives the same read
// models, row for row, as following it batch by batch.
func TestRebuildEqualsIncremental(t *testing.T) {
	h := newHarness(t)
	h.generated(3000)
	head, _ := h.store.HeadPosition(h.ctx)

	incremental := h.openReadDB("incremental.db")
	r := NewRunner(h.store, incremental, quietLogger, Standard()...)
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

// TestOpenReadDBAfterInterruptedBulkLoad: an interrupted bulk load leaves
// a marker; if the file is intact it is kept, if it is damaged it is
// replaced by an empty database (the projections then rebuild).
func TestOpenReadDBAfterInterruptedBulkLoad(t *testing.T) {
	h := newHarness(t)
	h.generated(800)
	path := filepath.Join(h.dir, "interrupted.db")
	db, err := OpenReadDB(h.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := h.runToHead(db)
	want := r.Position()
	if _, err := db.w.Exec(`INSERT INTO read_db_state (key, value) VALUES ('bulk_load', '1')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = OpenReadDB(h.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "read_db_state", "1"); n != 0 {
		t.Errorf("marker kept on an intact file")
	}
	if n := count(t, db, "checkpoints", "position = ?", want); n != len(Standard()) {
		t.Errorf("%d checkpoints at %d after recovery, want all", n, want)
	}
	if _, err := db.w.Exec(`INSERT INTO read_db_state (key, value) VALUES ('bulk_load', '1')`); err != nil {
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
