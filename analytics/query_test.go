package analytics

import (
	"errors"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// TestBucketStartMatchesClickHouse: the embedded back end's time buckets
// equal what ClickHouse 18.16 returned for the same instants (values taken
// from toStartOfDay / toStartOfHour / toMonday / toStartOfMonth there).
func TestBucketStartMatchesClickHouse(t *testing.T) {
	at := time.Unix(1700000000, 0) // 2023-11-14 22:13:20 UTC
	tests := []struct {
		unit, zone string
		want       int64
	}{
		{"day", "Asia/Shanghai", 1699977600},
		{"hour", "Asia/Kolkata", 1699997400},
		{"day", "America/New_York", 1699938000},
		{"week", "Asia/Shanghai", 1699804800},
		{"month", "Asia/Shanghai", 1698768000},
		{"hour", "UTC", 1699999200},
	}
	for _, tc := range tests {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := BucketStart(at, tc.unit, loc).Unix(); got != tc.want {
			t.Errorf("BucketStart(%s, %s) = %d, want %d", tc.unit, tc.zone, got, tc.want)
		}
	}
}

func TestNextBucketCrossesDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Date(2026, 3, 8, 0, 0, 0, 0, ny) // 23-hour day
	next := nextBucket(day, "day", ny)
	if !next.Equal(time.Date(2026, 3, 9, 0, 0, 0, 0, ny)) || next.Sub(day) != 23*time.Hour {
		t.Fatalf("next day after %s is %s", day, next)
	}
	week := BucketStart(time.Date(2026, 3, 11, 15, 0, 0, 0, ny), "week", ny)
	if week.Weekday() != time.Monday || week.Day() != 9 {
		t.Fatalf("week of 2026-03-11 starts %s", week)
	}
	if m := nextBucket(time.Date(2026, 12, 1, 0, 0, 0, 0, ny), "month", ny); !m.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, ny)) {
		t.Fatalf("month after December: %s", m)
	}
}

func TestNewQueryRefusesBadRequests(t *testing.T) {
	def := channelVolume.def
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		req  Request
	}{
		{"empty period", Request{From: to, To: from}},
		{"unknown zone", Request{From: from, To: to, TimeZone: "Mars/Olympus"}},
		{"zone with a quote", Request{From: from, To: to, TimeZone: "UTC'"}},
		{"unknown dimension", Request{From: from, To: to, GroupBy: []string{"colour"}}},
		{"two time units", Request{From: from, To: to, GroupBy: []string{"day", "hour"}}},
		{"repeated dimension", Request{From: from, To: to, GroupBy: []string{"channel", "channel"}}},
		{"unknown option", Request{From: from, To: to, Options: map[string]string{"days": "3"}}},
		{"too many buckets", Request{From: from, To: from.AddDate(5, 0, 0), GroupBy: []string{"hour"}}},
	}
	for _, tc := range tests {
		tc.req.Name = def.Name
		if _, err := newQuery(nil, def, tc.req); err == nil {
			t.Errorf("%s: accepted", tc.name)
		} else if _, ok := err.(*RequestError); !ok {
			t.Errorf("%s: error %T %v, want *RequestError", tc.name, err, err)
		}
	}
}

func TestReportErrorsCarryDomainCodes(t *testing.T) {
	rep := NewReporter(nil)
	_, err := rep.Report(t.Context(), Request{Name: "no_such_report"})
	if !errors.Is(err, ErrUnknownReport) || domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("unknown report: %v (code %q)", err, domain.ErrorCode(err))
	}
	_, err = rep.Report(t.Context(), Request{Name: "asa"})
	if errors.Is(err, ErrUnknownReport) || domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("empty period: %v (code %q)", err, domain.ErrorCode(err))
	}
}
