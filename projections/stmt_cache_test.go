package projections

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestStmtCache(t *testing.T) {
	h := newHarness(t)
	run := func(query string) int {
		var n int
		err := h.db.readTx(h.ctx, func(tx *sql.Tx) error {
			return h.db.cached(tx).QueryRowContext(h.ctx, query).Scan(&n)
		})
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	for i := range maxCachedStmts + 10 {
		// Past the bound, queries still run, prepared per call.
		if got := run(fmt.Sprintf("SELECT %d", i)); got != i {
			t.Fatalf("SELECT %d gave %d", i, got)
		}
	}
	h.db.stmts.preps.Wait()
	if n := len(h.db.stmts.stmts); n != maxCachedStmts {
		t.Errorf("%d statements cached, want the bound %d", n, maxCachedStmts)
	}
	if got := run("SELECT 3"); got != 3 {
		t.Errorf("a cached statement gave %d", got)
	}
	if s := h.db.stmts.get(h.db.r, "SELECT 3"); s == nil {
		t.Errorf("SELECT 3 is not cached")
	}
	if err := h.db.stmts.close(); err != nil || len(h.db.stmts.stmts) != 0 {
		t.Errorf("close: %v, %d left", err, len(h.db.stmts.stmts))
	}
	if got := run("SELECT 4"); got != 4 {
		t.Errorf("after close, a statement gave %d", got)
	}
}

// TestStmtCacheUnderFullPool: more read transactions than the pool has
// connections, each asking for a statement not prepared yet while holding
// its connection, all finish (preparing once waited for a connection of
// its own while holding the cache, and they deadlocked).
func TestStmtCacheUnderFullPool(t *testing.T) {
	h := newHarness(t)
	const callers = 4 * DefaultReadConns
	ctx, cancel := context.WithTimeout(h.ctx, time.Minute) // a hang detector, not a timing assertion
	defer cancel()
	var (
		wg     sync.WaitGroup
		inside sync.WaitGroup // every connection taken before anyone queries
		errs   = make(chan error, callers)
	)
	inside.Add(DefaultReadConns)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- h.db.readTx(ctx, func(tx *sql.Tx) error {
				if i < DefaultReadConns {
					inside.Done()
					inside.Wait()
				}
				var n int
				if err := h.db.cached(tx).QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i%3)).Scan(&n); err != nil {
					return err
				}
				if n != i%3 {
					return fmt.Errorf("SELECT %d gave %d", i%3, n)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
