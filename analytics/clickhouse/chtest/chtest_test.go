package chtest

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB that records how Start gave up instead of
// ending the calling test.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

type stop struct{}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	panic(stop{})
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	panic(stop{})
}

func startWithout(t *testing.T, ci string) *recorder {
	t.Helper()
	t.Setenv("PATH", t.TempDir()) // no clickhouse-server, no clickhouse
	t.Setenv("CI", ci)
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		Start(r)
	}()
	return r
}

// TestNoServerFailsUnderCI: under CI=true a missing ClickHouse fails the
// test (the test command installs it); elsewhere it skips.
func TestNoServerFailsUnderCI(t *testing.T) {
	if r := startWithout(t, "true"); !r.failed || r.skipped {
		t.Fatalf("CI=true: failed=%v skipped=%v (%s), want a failure", r.failed, r.skipped, r.msg)
	}
	if r := startWithout(t, ""); !r.skipped || r.failed {
		t.Fatalf("outside CI: failed=%v skipped=%v (%s), want a skip", r.failed, r.skipped, r.msg)
	}
}
