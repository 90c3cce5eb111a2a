package eventstore

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/google/uuid"
)

// verifyPageSize is how many events Verify reads at a time.
const verifyPageSize = 1000

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	// OK is true when every event checked out.
	OK bool
	// CheckedEvents counts the events examined, the bad one included.
	CheckedEvents uint64
	// Streams counts the distinct streams seen.
	Streams int
	// LastPosition is the position of the last event examined.
	LastPosition uint64
	// FirstBad is the first event, in $all order, that fails a check; nil
	// when OK.
	FirstBad *BadEvent
}

// BadEvent names an event that failed verification and why.
type BadEvent struct {
	Position uint64
	Stream   string
	Version  int64
	ID       uuid.UUID
	Reason   string
}

// String renders the bad event for people: where it is and what is wrong.
func (b *BadEvent) String() string {
	return fmt.Sprintf("position %d, stream %s, version %d, id %s: %s", b.Position, b.Stream, b.Version, b.ID, b.Reason)
}

// FilingChecker is implemented by stores that find a stream's events
// through bookkeeping the hash chain does not cover, such as the SQLite
// store's stream numbers. Verify asks it about every page of $all, so that
// an event ReadStream would not find under the stream it was recorded
// with (moved to another stream's number, say) is named like any other
// bad event.
type FilingChecker interface {
	// MisfiledEvents returns, by position, the events with after <
	// position <= upto that ReadStream would not return under the stream
	// they were recorded with, each with the reason.
	MisfiledEvents(ctx context.Context, after, upto uint64) (map[uint64]string, error)
}

// SparsePositioned is implemented by stores whose $all positions grow with
// every event but may have gaps (EventStoreDB's commit positions are byte
// offsets). Verify then checks that positions increase instead of that
// they follow one another.
type SparsePositioned interface {
	SparsePositions() bool
}

// streamTip is what Verify remembers of a stream: its last event.
type streamTip struct {
	version int64
	hash    string
}

// Verify walks $all from the start and recomputes every stream's hash
// chain: positions must be gap-free from 1, versions contiguous from 0,
// each event's prev_hash must equal the previous event's hash in its
// stream (empty for the first), and each hash must equal ComputeHash. A
// store that is a FilingChecker must also file each event under the stream
// it was recorded with. Verify stops at the first event that fails and
// reports it. progress, if not nil, is called after every page with the
// number of events checked so far. The error is for failures to read, not
// for a broken chain.
//
// The work is pipelined: one goroutine reads the pages ahead, the hashes
// of a page are recomputed on every core at once (each needs only the
// event and the prev_hash it stores), and the checks that follow the
// chains run in order on the results.
func Verify(ctx context.Context, store Store, progress func(checked uint64)) (VerifyReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	var reader sync.WaitGroup
	defer reader.Wait() // the store is the caller's again once Verify returns
	defer cancel()
	var rep VerifyReport
	tips := make(map[string]streamTip)
	sp, ok := store.(SparsePositioned)
	sparse := ok && sp.SparsePositions()
	read := make(chan verifyPage, verifyReadAhead)
	prepared := make(chan verifyPage, verifyReadAhead)
	if sparse {
		reader.Go(func() { readVerifyPages(ctx, store, read) })
	} else {
		reader.Go(func() { readDensePages(ctx, store, &reader, read) })
	}
	reader.Go(func() { prepareVerifyPages(ctx, store, read, prepared) })
	for page := range prepared {
		if page.err != nil {
			return rep, page.err
		}
		for i, e := range page.events {
			rep.CheckedEvents++
			reason := checkEvent(tips, rep.LastPosition, sparse, e, page.hashes[i])
			if reason == "" {
				reason = page.misfiled[e.Position]
			}
			if reason != "" {
				rep.FirstBad = &BadEvent{Position: e.Position, Stream: e.Stream, Version: e.Version, ID: e.ID, Reason: reason}
				rep.LastPosition = e.Position
				rep.Streams = len(tips)
				return rep, nil
			}
			tips[e.Stream] = streamTip{version: e.Version, hash: e.Hash}
			rep.LastPosition = e.Position
		}
		if progress != nil {
			progress(rep.CheckedEvents)
		}
	}
	rep.OK = true
	rep.Streams = len(tips)
	return rep, nil
}

// verifyReadAhead is how many pages the reader of Verify may be ahead.
const verifyReadAhead = 4

// verifyPage is one page of $all (the events after position after), with
// their recomputed hashes and what the store says of their filing, or the
// error that ended the reading.
type verifyPage struct {
	after    uint64
	events   []RecordedEvent
	hashes   []string
	misfiled map[uint64]string
	err      error
}

// readVerifyPages reads $all page by page into pages, and closes it at the
// end, after an error, or when ctx is done.
func readVerifyPages(ctx context.Context, store Store, pages chan<- verifyPage) {
	defer close(pages)
	var after uint64
	for {
		events, err := store.ReadAll(ctx, after, verifyPageSize)
		if err != nil {
			err = fmt.Errorf("verify after position %d: %w", after, err)
		}
		if err == nil && len(events) == 0 {
			return
		}
		if !send(ctx, pages, verifyPage{after: after, events: events, err: err}) || err != nil {
			return
		}
		after = events[len(events)-1].Position
	}
}

// denseReaders is how many goroutines read a ledger whose positions
// follow one another: reading is the slowest stage, and the driver's work
// for one page does not wait on another's.
const denseReaders = 2

// readDensePages reads $all into pages with denseReaders goroutines, each
// taking every denseReaders-th page by position (page k holds positions
// k·verifyPageSize+1 to (k+1)·verifyPageSize), and passes the pages on in
// order. It stops at the first page that comes back empty, so events
// appended meanwhile beyond it are not checked. A gap in positions shows
// as such in the page that holds it.
func readDensePages(ctx context.Context, store Store, group *sync.WaitGroup, pages chan<- verifyPage) {
	defer close(pages)
	lanes := make([]chan verifyPage, denseReaders)
	for i := range lanes {
		lanes[i] = make(chan verifyPage, verifyReadAhead/denseReaders)
		group.Go(func() { readLane(ctx, store, uint64(i), lanes[i]) })
	}
	for k := 0; ; k++ {
		page, ok := <-lanes[k%denseReaders]
		if !ok || !send(ctx, pages, page) || page.err != nil {
			return
		}
	}
}

// readLane reads the pages of one of readDensePages' goroutines.
func readLane(ctx context.Context, store Store, lane uint64, pages chan<- verifyPage) {
	defer close(pages)
	for k := lane; ; k += denseReaders {
		after := k * verifyPageSize
		events, err := store.ReadAll(ctx, after, verifyPageSize)
		if err != nil {
			err = fmt.Errorf("verify after position %d: %w", after, err)
		}
		events = ownPositions(events, after)
		if err == nil && len(events) == 0 {
			return
		}
		if !send(ctx, pages, verifyPage{after: after, events: events, err: err}) || err != nil {
			return
		}
	}
}

// ownPositions trims a dense page read after position after to the
// positions it owns (up to after+verifyPageSize): past a gap a read
// reaches into the next page's positions, which are that page's to check.
// A read that finds none of its own positions (a gap of a page or more)
// is kept whole: its first event is where the checks find the gap, not
// the end of the ledger.
func ownPositions(events []RecordedEvent, after uint64) []RecordedEvent {
	n := len(events)
	for n > 0 && events[n-1].Position > after+verifyPageSize {
		n--
	}
	if n == 0 {
		return events
	}
	return events[:n]
}

// prepareVerifyPages recomputes the hashes of each page read and asks the
// store about its filing, at once, and passes it on.
func prepareVerifyPages(ctx context.Context, store Store, read <-chan verifyPage, prepared chan<- verifyPage) {
	defer close(prepared)
	for page := range read {
		if page.err == nil {
			var filing sync.WaitGroup
			filing.Go(func() {
				page.misfiled, page.err = misfiledIn(ctx, store, page.after, page.events[len(page.events)-1].Position)
			})
			page.hashes = computeHashes(page.events)
			filing.Wait()
			if page.err != nil {
				page.err = fmt.Errorf("verify after position %d: %w", page.after, page.err)
			}
		}
		if !send(ctx, prepared, page) || page.err != nil {
			return
		}
	}
}

// send passes page on, unless ctx is done first.
func send(ctx context.Context, pages chan<- verifyPage, page verifyPage) bool {
	select {
	case pages <- page:
		return true
	case <-ctx.Done():
		return false
	}
}

// computeHashes recomputes the hash of every event from its content and
// stored prev_hash, spread over the cores.
func computeHashes(events []RecordedEvent) []string {
	hashes := make([]string, len(events))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(events)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(events); i += workers {
				hashes[i] = ComputeHash(events[i].PrevHash, events[i])
			}
		})
	}
	wg.Wait()
	return hashes
}

// misfiledIn asks store, if it is a FilingChecker, which events with
// after < position <= upto are misfiled; nil when it is not one.
func misfiledIn(ctx context.Context, store Store, after, upto uint64) (map[uint64]string, error) {
	fc, ok := store.(FilingChecker)
	if !ok {
		return nil, nil
	}
	return fc.MisfiledEvents(ctx, after, upto)
}

// checkEvent returns why e is bad, or "" when it is good. prevPos is the
// position of the event before it in $all; sparse positions need only
// grow; computed is e's hash as recomputed from its content.
func checkEvent(tips map[string]streamTip, prevPos uint64, sparse bool, e RecordedEvent, computed string) string {
	switch {
	case sparse && e.Position <= prevPos:
		return fmt.Sprintf("position %d does not follow position %d", e.Position, prevPos)
	case !sparse && e.Position != prevPos+1:
		return fmt.Sprintf("position gap: expected %d, found %d", prevPos+1, e.Position)
	}
	tip, seen := tips[e.Stream]
	wantVersion, wantPrev := int64(0), ""
	if seen {
		wantVersion, wantPrev = tip.version+1, tip.hash
	}
	if e.Version != wantVersion {
		return fmt.Sprintf("version gap: expected version %d, found %d", wantVersion, e.Version)
	}
	if e.PrevHash != wantPrev {
		return fmt.Sprintf("prev_hash %q does not match the previous event's hash %q", e.PrevHash, wantPrev)
	}
	if computed != e.Hash {
		return fmt.Sprintf("hash mismatch: stored %s, computed %s (content was changed)", e.Hash, computed)
	}
	return ""
}
