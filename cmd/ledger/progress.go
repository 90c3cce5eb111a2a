package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is a progress bar on stderr for a long-running command, whose
// rate is this run's: the work done over the time since the bar was made,
// shown once half a second has passed. progressbar's own rate divided a
// first step's work by the microseconds since that step started the bar,
// and read hundreds of millions of events a second.
type progress struct {
	*progressbar.ProgressBar
	start time.Time

	mu          sync.Mutex
	description string
	done        int64
	shown       time.Time
}

// rateEvery is how often the rate in the description is refreshed.
const rateEvery = 500 * time.Millisecond

// newProgress returns a progress bar on stderr; total -1 means unknown.
// quiet hides it (tests, scripts).
func newProgress(total int64, description string, quiet bool) *progress {
	var w io.Writer = os.Stderr
	if quiet {
		w = io.Discard
	}
	return newProgressTo(w, total, description)
}

// newProgressTo returns a progress bar written to w.
func newProgressTo(w io.Writer, total int64, description string) *progress {
	now := time.Now()
	return &progress{
		ProgressBar: progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(description),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(w, "\n") }),
			progressbar.OptionFullWidth(),
		),
		start: now, description: description, shown: now,
	}
}

// Add adds n done.
func (p *progress) Add(n int) error {
	p.count(int64(n), false)
	return p.ProgressBar.Add(n)
}

// Set64 sets how many are done.
func (p *progress) Set64(n int64) error {
	p.count(n, true)
	return p.ProgressBar.Set64(n)
}

// Describe changes the description the rate follows.
func (p *progress) Describe(description string) {
	p.mu.Lock()
	p.description = description
	p.mu.Unlock()
	p.ProgressBar.Describe(description)
}

func (p *progress) count(n int64, absolute bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if absolute {
		p.done = n
	} else {
		p.done += n
	}
	if now := time.Now(); now.Sub(p.shown) >= rateEvery {
		p.shown = now
		p.ProgressBar.Describe(fmt.Sprintf("%s (%.0f/s)", p.description, float64(p.done)/now.Sub(p.start).Seconds()))
	}
}

// positionBar is a progress bar over ledger positions from where a run
// starts. The positions before it (a checkpoint it resumed from) are not
// this run's work, and count for neither its progress nor its rate.
type positionBar struct {
	*progress
	from uint64
}

// newPositionBar returns a bar for positions from (exclusive) to head.
func newPositionBar(from, head uint64, description string, quiet bool) positionBar {
	return positionBar{progress: newProgress(int64(head-min(from, head)), description, quiet), from: from}
}

// newPositionBarTo is newPositionBar written to w.
func newPositionBarTo(w io.Writer, from, head uint64, description string) positionBar {
	return positionBar{progress: newProgressTo(w, int64(head-min(from, head)), description), from: from}
}

// SetPosition shows the run at position done.
func (b positionBar) SetPosition(done uint64) {
	if done > b.from {
		_ = b.Set64(int64(done - b.from))
	}
}
