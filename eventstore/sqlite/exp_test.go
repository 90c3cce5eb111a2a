package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sqlite3 "modernc.org/sqlite"

	"github.com/interactionledger/ledger/eventstore/appendbench"
)

func TestExp(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	tweak()
	dir := t.TempDir()
	path := filepath.Join(dir, "x.db")
	s, err := Open(context.Background(), path, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(os.Getenv("N"), &n)
	res, err := appendbench.Run(context.Background(), s, appendbench.Config{Writers: 256, Events: n}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path + "-wal")
	t.Logf("%v wal=%d %v", res, st.Size(), expStats)
	s.Close()
}

func tweak() {
	if os.Getenv("FDS") != "" {
		sqlite3.Fdatasync(true)
	}
	ps := os.Getenv("PS")
	ac := os.Getenv("AC")
	for i, p := range writePragmas {
		if ps != "" && strings.Contains(p, "page_size") {
			writePragmas[i] = "PRAGMA page_size = " + ps
		}
		if ac != "" && strings.Contains(p, "wal_autocheckpoint") {
			writePragmas[i] = "PRAGMA wal_autocheckpoint = " + ac
		}
	}
}

func init() { expStats = &stats{} }
