package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// newProgress returns a progress bar on stderr for a long-running command;
// total -1 means unknown. quiet hides it (tests, scripts).
func newProgress(total int64, description string, quiet bool) *progressbar.ProgressBar {
	var w io.Writer = os.Stderr
	if quiet {
		w = io.Discard
	}
	return newProgressTo(w, total, description)
}

// newProgressTo returns a progress bar written to w.
func newProgressTo(w io.Writer, total int64, description string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("it"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(w, "\n") }),
		progressbar.OptionFullWidth(),
	)
}

// positionBar is a progress bar over ledger positions from where a run
// starts. The positions before it (a checkpoint it resumed from) are not
// this run's work: counted as such, they made its first rate read
// hundreds of millions of events a second.
type positionBar struct {
	*progressbar.ProgressBar
	from uint64
}

// newPositionBar returns a bar for positions from (exclusive) to head.
func newPositionBar(from, head uint64, description string, quiet bool) positionBar {
	return positionBar{ProgressBar: newProgress(int64(head-min(from, head)), description, quiet), from: from}
}

// newPositionBarTo is newPositionBar written to w.
func newPositionBarTo(w io.Writer, from, head uint64, description string) positionBar {
	return positionBar{ProgressBar: newProgressTo(w, int64(head-min(from, head)), description), from: from}
}

// SetPosition shows the run at position done.
func (b positionBar) SetPosition(done uint64) {
	if done > b.from {
		_ = b.Set64(int64(done - b.from))
	}
}
