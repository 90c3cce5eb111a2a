package sqlite_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/eventstore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		return openTemp(t)
	})
}

// TestConformanceSoleWriter runs the suite on a store that answers reads
// past a stream's head from memory.
func TestConformanceSoleWriter(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		return openTemp(t, sqlite.WithSoleWriter())
	})
}

// openTemp opens a store in a fresh temporary directory, closed when the
// test ends.
func openTemp(t testing.TB, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "ledger.db"), opts...)
}

func openAt(t testing.TB, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	opts = append([]sqlite.Option{sqlite.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	s, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close %s: %v", path, err)
		}
	})
	return s
}

// TestRecordedAtComesFromTheClockAndNeverGoesBack: recorded_at is the
// injected clock's time in UTC, and a clock that steps back does not make
// a later event look older than an earlier one.
func TestRecordedAtComesFromTheClockAndNeverGoesBack(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	times := []time.Time{
		time.Date(2026, 5, 1, 18, 0, 0, 123456789, shanghai),
		time.Date(2026, 5, 1, 17, 0, 0, 0, shanghai), // an hour back
		time.Date(2026, 5, 1, 19, 0, 0, 0, shanghai),
	}
	var now atomic.Pointer[time.Time]
	now.Store(&times[0])
	s := openTemp(t, sqlite.WithClock(func() time.Time { return *now.Load() }))
	ctx := context.Background()
	for n := range times {
		now.Store(&times[n])
		if _, err := s.Append(ctx, "clocked", eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "Ticked", Data: []byte(`{}`)}}); err != nil {
			t.Fatalf("append %d: %v", n, err)
		}
	}
	evs, err := s.ReadStream(ctx, "clocked", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{times[0], times[0], times[2]}
	for n, e := range evs {
		if !e.RecordedAt.Equal(want[n]) || e.RecordedAt.Location() != time.UTC {
			t.Fatalf("event %d recorded at %v, want %v in UTC", n, e.RecordedAt, want[n].UTC())
		}
	}
}

// TestMetrics: appends are counted by result on the given registry.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := openTemp(t, sqlite.WithRegisterer(reg))
	ctx := context.Background()
	evs := []eventstore.EventData{{ID: uuid.New(), Type: "Noted", Data: []byte(`{}`)}}
	for _, expected := range []eventstore.ExpectedVersion{eventstore.NoStream, eventstore.NoStream} {
		if _, err := s.Append(ctx, "m", expected, evs); err != nil {
			t.Fatal(err) // the second is an idempotent retry
		}
	}
	_, _ = s.Append(ctx, "m", eventstore.NoStream, []eventstore.EventData{{ID: uuid.New(), Type: "Noted", Data: []byte(`{}`)}})
	got := gather(t, reg)
	want := map[string]float64{
		`ledger_eventstore_appends_total{result="ok"}`:         1,
		`ledger_eventstore_appends_total{result="idempotent"}`: 1,
		`ledger_eventstore_appends_total{result="conflict"}`:   1,
		`ledger_eventstore_events_appended_total`:              1,
		`ledger_eventstore_batch_events_count`:                 1,
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %v, want %v (all: %v)", name, got[name], v, got)
		}
	}
}

// gather flattens a registry's counters and histogram counts to
// name{labels} -> value.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
			}
			name := mf.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.GetCounter() != nil:
				out[name] = m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				out[name+"_count"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// TestOpenOddPath: the path is a file name, not a URI; characters special
// in URIs are taken literally, and a relative path is relative to the
// working directory.
func TestOpenOddPath(t *testing.T) {
	dir := t.TempDir()
	name := "ledger 1?mode=ro#x%41.db"
	s := openAt(t, filepath.Join(dir, name))
	if _, err := s.Append(context.Background(), "odd", eventstore.NoStream, []eventstore.EventData{{ID: uuid.New(), Type: "Noted", Data: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		t.Fatalf("database not created under its literal name: %v", err)
	}
	t.Chdir(dir)
	rel := openAt(t, "relative.db")
	if _, err := rel.HeadPosition(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "relative.db")); err != nil {
		t.Fatalf("relative path not resolved against the working directory: %v", err)
	}
}
