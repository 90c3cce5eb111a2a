package analytics_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// linkedReports are the reports read from the link columns and the ticket
// transitions instead of joins.
var linkedReports = []string{"fcr", "repeat_contact_rate", "cross_channel_journeys", "backlog"}

// edgeLedger is a generated ledger with the edge contacts, loaded into an
// embedded back end the hard way: the first sync is interrupted, keeps
// few entities in memory (so it drops the contacts it holds and reads
// them back) and ends before the later edge contacts are appended; a new
// sink, which knows nothing of the first, writes the rest.
func edgeLedger(t *testing.T) (*sqlite.Store, *embedded.Backend) {
	t.Helper()
	ctx := t.Context()
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 40, Interactions: 250, Seed: 8})
	edges := analyticstest.EdgeContacts()
	if err := analyticstest.AppendEdgeContacts(ctx, store, edges[:analyticstest.FirstEdgeContacts]); err != nil {
		t.Fatal(err)
	}
	b, err := embedded.Open(ctx, filepath.Join(t.TempDir(), embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := 0
	interrupted := analytics.NewSink(store, b, analyticstest.Key, analytics.WithBatchEvents(300), analytics.WithCacheLimit(100))
	err = interrupted.Sync(stop, func(uint64, uint64) {
		if batches++; batches == 6 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sync returned %v, want context.Canceled", err)
	}
	for _, opts := range [][]analytics.SinkOption{
		{analytics.WithBatchEvents(250), analytics.WithCacheLimit(100)},
		{analytics.WithBatchEvents(7)},
	} {
		if err := analytics.NewSink(store, b, analyticstest.Key, opts...).Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if len(edges) > analyticstest.FirstEdgeContacts {
			if err := analyticstest.AppendEdgeContacts(ctx, store, edges[analyticstest.FirstEdgeContacts:]); err != nil {
				t.Fatal(err)
			}
			edges = edges[:analyticstest.FirstEdgeContacts]
		}
	}
	return store, b
}

// linkedRequests are the differential requests of the linked reports,
// with more windows, and periods cut at the edge contacts: one ending
// exactly 7 days after the first (its repeat falls after the period), one
// starting then (the contact it repeats falls before).
func linkedRequests() []analytics.Request {
	var out []analytics.Request
	for _, r := range analyticstest.Requests() {
		if slices.Contains(linkedReports, r.Name) {
			out = append(out, r)
		}
	}
	week := 7 * 24 * time.Hour
	periods := [][2]time.Time{
		{analyticstest.EdgeStart, analyticstest.Period[1]},
		{analyticstest.EdgeStart.Add(-time.Hour), analyticstest.EdgeStart.Add(week)},
		{analyticstest.EdgeStart.Add(week), analyticstest.Period[1]},
		{analyticstest.EdgeStart.Add(time.Hour), analyticstest.EdgeStart.Add(time.Hour + time.Millisecond)},
	}
	for _, name := range linkedReports {
		for _, p := range periods {
			for _, days := range []string{"", "0", "0.5", "1", "6.9", "7", "30", "1000000"} {
				r := analytics.Request{Name: name, From: p[0], To: p[1]}
				if days != "" && name != "backlog" {
					r.Options = map[string]string{"days": days}
				}
				out = append(out, r)
			}
		}
	}
	return out
}

// TestLinkedReportsMatchTheJoins holds fcr, repeat contacts, journeys and
// backlog to the joins they replaced (analytics.ReferenceReport), on a
// ledger loaded across restarts, with contacts started at the same
// instant, out of order, at the window's boundary, and linked to contacts
// written before a restart.
func TestLinkedReportsMatchTheJoins(t *testing.T) {
	_, b := edgeLedger(t)
	rep := analytics.NewReporter(b)
	nonEmpty := map[string]int{}
	for _, req := range linkedRequests() {
		want, err := analytics.ReferenceReport(t.Context(), b, req)
		if err != nil {
			t.Fatalf("%s by the joins: %v", analyticstest.RequestLabel(req), err)
		}
		got, err := rep.Report(t.Context(), req)
		if err != nil {
			t.Fatalf("%s: %v", analyticstest.RequestLabel(req), err)
		}
		if cw, cg := analyticstest.Canonical(want), analyticstest.Canonical(got); cw != cg {
			t.Errorf("%s differs from the joins:\njoins:\n%s\nreport:\n%s", analyticstest.RequestLabel(req), cw, cg)
		}
		if hasPositive(want, 1) {
			nonEmpty[req.Name]++
		}
	}
	for _, name := range linkedReports {
		if nonEmpty[name] < 3 {
			t.Errorf("%s counted something in only %d requests: the comparison proves little", name, nonEmpty[name])
		}
	}
}

// hasPositive reports whether a row of t has a positive integer in the
// measure column after the first (repeats, journeys' customers, the
// backlog's reopened...), measures being the int columns.
func hasPositive(t analytics.Table, nth int) bool {
	for _, r := range t.Rows {
		seen := 0
		for _, v := range r {
			if n, ok := v.(int64); ok {
				if seen == nth && n > 0 {
					return true
				}
				seen++
			}
		}
	}
	return false
}

// TestLinkedReportsAtTheEdges checks the edge contacts' numbers by hand
// (see analyticstest.EdgeContacts), over the days that hold them alone.
func TestLinkedReportsAtTheEdges(t *testing.T) {
	_, b := edgeLedger(t)
	rep := analytics.NewReporter(b)
	from, to := analyticstest.EdgeStart, analyticstest.Period[1]
	rows := func(name, days string) map[string]string {
		t.Helper()
		req := analytics.Request{Name: name, From: from, To: to, Options: map[string]string{"days": days}}
		table, err := rep.Report(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(analyticstest.Canonical(table)), "\n")[1:] {
			key := line[:strings.LastIndex(line, " | ")]
			for strings.Count(key, " | ") > map[bool]int{true: 1, false: 0}[name == "cross_channel_journeys"] {
				key = key[:strings.LastIndex(key, " | ")]
			}
			out[key] = line
		}
		return out
	}
	tests := []struct {
		report, days, key, want string
	}{
		// The call is repeated by the chat exactly 7 days later, not by
		// the email 1 ms after that.
		{"fcr", "7", "PHONE", "PHONE | 1 | 1 | 0"},
		{"fcr", "6.9", "PHONE", "PHONE | 1 | 0 | 1"},
		{"fcr", "7", "WEBCHAT", "WEBCHAT | 1 | 1 | 0"},
		// edge-c's email is repeated by a call appended after a later chat.
		{"fcr", "7", "EMAIL", "EMAIL | 3 | 1 | 0.6666666666666666"},
		// edge-b's call and SMS started at the same instant: neither
		// repeats the other; its app contact an hour later repeats, and
		// so does its second SMS.
		{"repeat_contact_rate", "7", "SMS", "SMS | 2 | 1 | 0.5"},
		{"repeat_contact_rate", "7", "APP", "APP | 1 | 1 | 1"},
		{"repeat_contact_rate", "0", "APP", "APP | 1 | 0 | 0"},
		{"repeat_contact_rate", "7", "WEBCHAT", "WEBCHAT | 2 | 2 | 1"},
		// edge-a's and edge-c's calls, followed by a chat; edge-d's 12
		// WeChat contacts, by one email.
		{"cross_channel_journeys", "7", "PHONE | WEBCHAT", "PHONE | WEBCHAT | 2 | 2 | 0.6666666666666666"},
		{"cross_channel_journeys", "7", "WECHAT | EMAIL", "WECHAT | EMAIL | 12 | 1 | 1"},
		{"cross_channel_journeys", "2", "WECHAT | EMAIL", "WECHAT | EMAIL | 7 | 1 | 0.5833333333333334"},
		{"cross_channel_journeys", "7", "SMS | PHONE", ""},
		{"cross_channel_journeys", "7", "SMS | APP", "SMS | APP | 1 | 1 | 1"},
		{"cross_channel_journeys", "7", "PHONE | SMS", "PHONE | SMS | 1 | 1 | 0.3333333333333333"},
	}
	for _, tc := range tests {
		if got := rows(tc.report, tc.days)[tc.key]; got != tc.want {
			t.Errorf("%s days=%s, row %s: %q, want %q", tc.report, tc.days, tc.key, got, tc.want)
		}
	}
}

// stoppingStore stops the sync (cancels its context) from its n-th stream
// read, which then fails like a read cut short: a sink stopped while it
// reads a stream, its last batch's links included, then writing what it
// had folded.
type stoppingStore struct {
	*sqlite.Store
	reads, n int
	stop     context.CancelFunc
}

func (s *stoppingStore) ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error) {
	if s.reads++; s.reads >= s.n {
		s.stop()
		return nil, context.Canceled
	}
	return s.Store.ReadStream(ctx, stream, from, max)
}

// TestSinkStoppedWhileLinkingLosesNoLink stops syncs at each of their
// stream reads in turn (the sink reads streams to fold interactions it
// no longer holds, neighbours whose links moved among them) and resumes
// each time with a new sink: the reports must still equal the joins.
func TestSinkStoppedWhileLinkingLosesNoLink(t *testing.T) {
	ctx := t.Context()
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 30, Interactions: 120, Seed: 12})
	if err := analyticstest.AppendEdgeContacts(ctx, store, analyticstest.EdgeContacts()); err != nil {
		t.Fatal(err)
	}
	b, err := embedded.Open(ctx, filepath.Join(t.TempDir(), embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	head, _ := store.HeadPosition(ctx)
	stops := 0
	for n := 1; ; n++ {
		stop, cancel := context.WithCancel(ctx)
		s := &stoppingStore{Store: store, n: n, stop: cancel}
		sink := analytics.NewSink(s, b, analyticstest.Key, analytics.WithBatchEvents(100), analytics.WithCacheLimit(40))
		err := sink.Sync(stop, nil)
		cancel()
		if err == nil {
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("sync stopped at stream read %d: %v", n, err)
		}
		if stops++; stops > 400 {
			t.Fatal("the sink never caught up")
		}
	}
	if cp, _ := b.Checkpoint(ctx, analytics.DefaultSinkName); cp != head || stops < 10 {
		t.Fatalf("checkpoint %d of %d after %d stops", cp, head, stops)
	}
	rep := analytics.NewReporter(b)
	for _, req := range linkedRequests() {
		want, err := analytics.ReferenceReport(ctx, b, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rep.Report(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if cw, cg := analyticstest.Canonical(want), analyticstest.Canonical(got); cw != cg {
			t.Errorf("%s differs from the joins:\njoins:\n%s\nreport:\n%s", analyticstest.RequestLabel(req), cw, cg)
		}
	}
}
