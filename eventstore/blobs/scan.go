package blobs

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// Scanner checks content for malware: it reads r to its end and returns
// the name of the signature the content matched, "" when it is clean
// (clamav.Client is one, over clamd).
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) (string, error)
}

// scanning is a scan running beside a Put: what the Put reads of the
// content is written to feed, and result gives the signature once the
// scanner is done ("" when it failed: the failure holds why).
type scanning struct {
	feed   *io.PipeWriter
	result chan string
}

// startScan runs the Store's scanner on what will be written to the
// returned feed. A scanner error is the Put's failure; it wraps
// ErrScanUnavailable unless the caller's context ended.
func (s *Store) startScan(ctx, work context.Context, fail *failure) *scanning {
	r, w := io.Pipe()
	fail.onFirst(func(err error) { _ = r.CloseWithError(err) })
	sc := &scanning{feed: w, result: make(chan string, 1)}
	go func() {
		sig, err := s.scanner.Scan(work, r)
		switch {
		case err != nil && ctx.Err() != nil:
			fail.record(fmt.Errorf("scan: %w", err))
			sig = ""
		case err != nil:
			fail.record(fmt.Errorf("%w: %w", ErrScanUnavailable, err))
			sig = ""
		default:
			// A scanner that decided before the end: the content still
			// goes to its end, to be hashed and measured.
			_, _ = io.Copy(io.Discard, r)
		}
		sc.result <- sig
	}()
	return sc
}

// failure keeps the first cause of a failed Put and, on it, stops every
// other part of the pass (the stage, the sealing, the scan), whose own
// errors are then consequences and are not reported.
type failure struct {
	mu    sync.Mutex
	err   error
	stops []func(error)
}

// onFirst has stop called with the first cause, at once if there is one.
func (f *failure) onFirst(stop func(error)) {
	f.mu.Lock()
	err := f.err
	if err == nil {
		f.stops = append(f.stops, stop)
	}
	f.mu.Unlock()
	if err != nil {
		stop(err)
	}
}

// record makes err the cause unless there is one already.
func (f *failure) record(err error) {
	f.mu.Lock()
	if f.err != nil {
		f.mu.Unlock()
		return
	}
	f.err = err
	stops := f.stops
	f.mu.Unlock()
	for _, stop := range stops {
		stop(err)
	}
}

func (f *failure) cause() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
