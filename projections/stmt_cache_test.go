package projections

import (
	"database/sql"
	"fmt"
	"testing"
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
	if n := len(h.db.stmts.stmts); n != maxCachedStmts {
		t.Errorf("%d statements cached, want the bound %d", n, maxCachedStmts)
	}
	if got := run("SELECT 3"); got != 3 {
		t.Errorf("a cached statement gave %d", got)
	}
	if err := h.db.stmts.close(); err != nil || len(h.db.stmts.stmts) != 0 {
		t.Errorf("close: %v, %d left", err, len(h.db.stmts.stmts))
	}
	if got := run("SELECT 4"); got != 4 {
		t.Errorf("after close, a statement gave %d", got)
	}
}
