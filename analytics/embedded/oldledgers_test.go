package embedded_test

import (
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/internal/ledgergen"
)

// update rewrites the golden analytics of the reference ledgers; only
// when the fact tables legitimately change (docs/schema-evolution.md).
var update = flag.Bool("update", false, "rewrite testdata/ledgers/*.analytics.golden")

// TestReferenceLedgersReplay: each committed reference ledger, written
// with the event shapes of its day, folds through today's sink (and the
// upcasters in its decoding) into the same fact tables.
func TestReferenceLedgersReplay(t *testing.T) {
	const dir = "../../testdata/ledgers"
	for _, ledger := range ledgergen.Ledgers(t, dir) {
		t.Run(ledger.Name, func(t *testing.T) {
			store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if err := ledgergen.Import(t.Context(), store, ledger.Events); err != nil {
				t.Fatalf("%s: %v", ledger.Path, err)
			}
			path := filepath.Join(t.TempDir(), embedded.FileName)
			b, err := embedded.Open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			sink := analytics.NewSink(store, b, analyticstest.Key, analytics.WithLogger(slog.New(slog.DiscardHandler)))
			if err := sink.Sync(t.Context(), nil); err != nil {
				t.Fatalf("sync: %v", err)
			}
			ledgergen.CompareGolden(t, filepath.Join(dir, ledger.Name+".analytics.golden"), dumpTables(t, path), *update,
				"go test ./analytics/embedded -run TestReferenceLedgersReplay -update")
		})
	}
}

// dumpTables renders every table of the SQLite file at path, rows sorted
// by every column, under a header naming the table.
func dumpTables(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, table := range tables {
		fmt.Fprintf(&b, "## table %s\n", table)
		dumpTable(t, db, table, &b)
	}
	return b.String()
}

func dumpTable(t *testing.T, db *sql.DB, table string, b *strings.Builder) {
	t.Helper()
	probe, err := db.Query(`SELECT * FROM "` + table + `" LIMIT 0`)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := probe.Columns()
	probe.Close()
	order := make([]string, len(cols))
	for i := range order {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := db.Query(`SELECT * FROM "` + table + `" ORDER BY ` + strings.Join(order, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			parts[i] = fmt.Sprintf("%v", v)
		}
		b.WriteString(strings.Join(parts, "|"))
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
