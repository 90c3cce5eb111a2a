package main

import (
	"os"
	"slices"
	"sync"
	"time"
)

// The fault drills of issue #17 are the tests named TestFault… (and the
// older drills `make faults` lists beside them). The test command runs
// them with short durations; `make faults` sets LEDGER_FAULTS_FULL=1 for
// the full ones.

// faultsFull reports whether the drills run at full length.
func faultsFull() bool { return os.Getenv("LEDGER_FAULTS_FULL") == "1" }

// faultDuration is short in the test command and full under `make faults`.
func faultDuration(short, full time.Duration) time.Duration {
	if faultsFull() {
		return full
	}
	return short
}

// latencies collects request latencies from concurrent clients, for the
// p99 a drill reports of the clients it does not disturb.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.d = append(l.d, d)
}

// take returns the latencies so far, sorted, and starts afresh.
func (l *latencies) take() []time.Duration {
	l.mu.Lock()
	d := l.d
	l.d = nil
	l.mu.Unlock()
	slices.Sort(d)
	return d
}
