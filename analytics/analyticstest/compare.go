package analyticstest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// Key is the pseudonymisation key tests use, so that every back end loaded
// from one ledger computes the same customer keys.
var Key = []byte("analytics-test-key-0123456789abcdef")

// NewLedger opens a fresh SQLite ledger in a temporary directory and fills
// it with Generate(cfg).
func NewLedger(t testing.TB, cfg Config) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(FastDir(t), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if err := Generate(t.Context(), store, cfg); err != nil {
		t.Fatalf("generate ledger: %v", err)
	}
	return store
}

// FastDir returns a temporary directory on a memory file system when there
// is one (/dev/shm), where an fsync costs nothing: generating a ledger
// through the command layer syncs every command.
func FastDir(t testing.TB) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "ledger-test-")
		if err == nil {
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// Period is a period covering all generated traffic (and some days
// around it).
var Period = [2]time.Time{time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC)}

// Requests returns the requests a differential test asks both back ends:
// every report with its default grouping, with every dimension it offers
// next to a day or hour axis in two time zones, with filters, and with
// options changed.
func Requests() []analytics.Request { return RequestsIn(Period[0], Period[1]) }

// RequestsIn is Requests over the period [from, to).
func RequestsIn(from, to time.Time) []analytics.Request {
	var out []analytics.Request
	base := func(name string) analytics.Request {
		return analytics.Request{Name: name, From: from, To: to}
	}
	for _, def := range analytics.Catalogue() {
		out = append(out, base(def.Name))
		for _, g := range def.GroupBy {
			if slices.Contains(analytics.TimeUnits, g) {
				r := base(def.Name)
				r.GroupBy, r.TimeZone = []string{g}, "Asia/Shanghai"
				out = append(out, r)
				continue
			}
			r := base(def.Name)
			r.GroupBy, r.TimeZone = []string{g, "day"}, "America/New_York"
			if def.Name == "cross_channel_journeys" {
				r.GroupBy = []string{g}
			}
			out = append(out, r)
		}
		if len(def.Filters) > 0 {
			r := base(def.Name)
			r.Filter = analytics.Filter{Channels: []string{"PHONE", "WECHAT"}}
			if slices.Contains(def.Filters, "agent") {
				r.Filter.Agents = []string{"agent-01", "agent-02", "agent-03"}
			}
			out = append(out, r)
		}
		for _, o := range def.Options {
			r := base(def.Name)
			r.Options = map[string]string{o.Name: "2"}
			out = append(out, r)
		}
		r := base(def.Name)
		r.From, r.To = from.Add(to.Sub(from)/4+6*time.Hour), from.Add(to.Sub(from)/2+30*time.Minute)
		out = append(out, r)
	}
	return out
}

// Canonical renders a table so that two equal tables render the same
// (times in RFC 3339 with their offset, floats in their shortest exact
// form).
func Canonical(t analytics.Table) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %v\n", t.Report, t.Columns)
	for _, r := range t.Rows {
		for i, v := range r {
			if i > 0 {
				sb.WriteString(" | ")
			}
			switch v := v.(type) {
			case time.Time:
				sb.WriteString(v.Format(time.RFC3339))
			default:
				fmt.Fprintf(&sb, "%v", v)
			}
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// RequestLabel names a request in failure messages.
func RequestLabel(r analytics.Request) string {
	return fmt.Sprintf("%s groupBy=%v tz=%s filter=%+v options=%v from=%s to=%s", r.Name, r.GroupBy, r.TimeZone, r.Filter, r.Options,
		r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
}

// AssertSameReports runs every request on both reporters and fails the
// test for each one whose tables differ. It returns how many tables had
// rows, so callers can check the comparison was not vacuous.
func AssertSameReports(t testing.TB, want, got analytics.Reporter) int {
	t.Helper()
	return AssertSameReportsIn(t, want, got, Period[0], Period[1])
}

// AssertSameReportsIn is AssertSameReports over the period [from, to).
// It also fails the test for a report of the catalogue that had no rows
// in any of its requests: equal empty tables prove nothing about it.
func AssertSameReportsIn(t testing.TB, want, got analytics.Reporter, from, to time.Time) int {
	t.Helper()
	ctx := t.Context()
	nonEmpty := 0
	rowsOf := map[string]int{}
	for _, req := range RequestsIn(from, to) {
		a, err := want.Report(ctx, req)
		if err != nil {
			t.Fatalf("%s on the reference back end: %v", RequestLabel(req), err)
		}
		b, err := got.Report(ctx, req)
		if err != nil {
			t.Fatalf("%s on the back end under test: %v", RequestLabel(req), err)
		}
		if ca, cb := Canonical(a), Canonical(b); ca != cb {
			t.Errorf("%s differs:\nreference:\n%s\nunder test:\n%s", RequestLabel(req), ca, cb)
		}
		if len(a.Rows) > 0 {
			nonEmpty++
		}
		rowsOf[req.Name] += len(a.Rows)
	}
	for _, def := range analytics.Catalogue() {
		if rowsOf[def.Name] == 0 {
			t.Errorf("report %s had no rows in any request: the comparison does not cover it", def.Name)
		}
	}
	return nonEmpty
}
