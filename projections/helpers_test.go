package projections

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// t0 is the start of every test's business time.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at returns t0 plus m minutes.
func at(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }

// harness is an event store and a read database in a temporary directory.
type harness struct {
	t     testing.TB
	ctx   context.Context
	dir   string
	store *sqlite.Store
	db    *ReadDB
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), dir: t.TempDir()}
	var err error
	h.store, err = sqlite.Open(h.ctx, filepath.Join(h.dir, "events.db"), sqlite.WithLogger(quietLogger))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.store.Close() })
	h.db = h.openReadDB("read.db")
	return h
}

func (h *harness) openReadDB(name string) *ReadDB {
	h.t.Helper()
	db, err := OpenReadDB(h.ctx, filepath.Join(h.dir, name))
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return db
}

// streamOf names the stream an event belongs to, from the first of its
// TicketID, InteractionID, AgentID, CustomerID, ItemID fields.
func streamOf(e domain.Event) string {
	v := reflect.ValueOf(e)
	for _, f := range []struct {
		field  string
		stream func(string) string
	}{
		{"TicketID", domain.TicketStream},
		{"InteractionID", domain.InteractionStream},
		{"AgentID", domain.AgentStream},
		{"CustomerID", domain.CustomerStream},
		{"ItemID", domain.KnowledgeStream},
	} {
		if fv := v.FieldByName(f.field); fv.IsValid() && fv.String() != "" {
			return f.stream(fv.String())
		}
	}
	panic(fmt.Sprintf("no stream for %T", e))
}

func eventData(t testing.TB, e domain.Event) eventstore.EventData {
	typ, schema, data, err := domain.EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.EventData{ID: uuid.New(), Type: typ, Schema: schema, Data: data, Metadata: []byte(`{"actor":"test"}`)}
}

// append appends events in order, each run of events of one stream in one
// Append, and returns the position of the last.
func (h *harness) append(events ...domain.Event) uint64 {
	h.t.Helper()
	var last uint64
	for i := 0; i < len(events); {
		stream := streamOf(events[i])
		var batch []eventstore.EventData
		for ; i < len(events) && streamOf(events[i]) == stream; i++ {
			batch = append(batch, eventData(h.t, events[i]))
		}
		res, err := h.store.Append(h.ctx, stream, eventstore.Any, batch)
		if err != nil {
			h.t.Fatalf("append to %s: %v", stream, err)
		}
		last = res.LastPosition
	}
	return last
}

// appendRaw appends one event of any type and data.
func (h *harness) appendRaw(stream, typ string, schema int, data string) uint64 {
	h.t.Helper()
	res, err := h.store.Append(h.ctx, stream, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: typ, Schema: schema, Data: []byte(data)}})
	if err != nil {
		h.t.Fatal(err)
	}
	return res.LastPosition
}

// start runs a runner over db until the test ends.
func (h *harness) start(db *ReadDB, projs ...Projection) *Runner {
	h.t.Helper()
	if len(projs) == 0 {
		projs = Standard()
	}
	r := NewRunner(h.store, db, quietLogger, projs...)
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("Run: %v", err)
		}
	})
	return r
}

// emit appends events and waits until r has applied them.
func (h *harness) emit(r *Runner, events ...domain.Event) uint64 {
	h.t.Helper()
	pos := h.append(events...)
	h.wait(r, pos)
	return pos
}

func (h *harness) wait(r *Runner, pos uint64) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, pos); err != nil {
		h.t.Fatal(err)
	}
}

// runToHead runs a runner until it has applied the store's head, then
// stops it.
func (h *harness) runToHead(db *ReadDB, projs ...Projection) *Runner {
	h.t.Helper()
	if len(projs) == 0 {
		projs = Standard()
	}
	r := NewRunner(h.store, db, quietLogger, projs...)
	head, err := h.store.HeadPosition(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	h.wait(r, head)
	cancel()
	if err := <-done; err != nil {
		h.t.Fatal(err)
	}
	return r
}

// readModelTables lists every table of the standard read models.
func readModelTables() []string {
	var names []string
	for _, p := range Standard() {
		names = append(names, p.(interface{ tableNames() []string }).tableNames()...)
	}
	return names
}

// dump renders a table's rows, sorted, one line each.
func dump(t testing.TB, db *ReadDB, table string) []string {
	t.Helper()
	probe, err := db.r.Query(`SELECT * FROM ` + table + ` LIMIT 0`)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	cols, _ := probe.Columns()
	probe.Close()
	order := make([]string, len(cols))
	for i := range order {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := db.r.Query(`SELECT * FROM ` + table + ` ORDER BY ` + strings.Join(order, ", "))
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	var out []string
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
			parts[i] = fmt.Sprintf("%v", v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// count returns the number of rows of a table matching where.
func count(t testing.TB, db *ReadDB, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// compareDumps fails the test for every read-model table whose content
// differs between a and b.
func compareDumps(t testing.TB, a, b *ReadDB) {
	t.Helper()
	for _, table := range readModelTables() {
		da, db := dump(t, a, table), dump(t, b, table)
		if !reflect.DeepEqual(da, db) {
			t.Errorf("table %s differs: %d rows vs %d rows; first difference: %s", table, len(da), len(db), firstDiff(da, db))
		}
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("row %d: %q vs %q", i, a[i], b[i])
		}
	}
	return "(one is a prefix of the other)"
}

func isNotFound(err error) bool { return domain.ErrorCode(err) == domain.ENOTFOUND }
