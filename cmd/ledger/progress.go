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
