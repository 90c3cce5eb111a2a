package eventstore

import (
	"context"
	"fmt"

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
func Verify(ctx context.Context, store Store, progress func(checked uint64)) (VerifyReport, error) {
	var rep VerifyReport
	tips := make(map[string]streamTip)
	sp, ok := store.(SparsePositioned)
	sparse := ok && sp.SparsePositions()
	for {
		page, err := store.ReadAll(ctx, rep.LastPosition, verifyPageSize)
		if err != nil {
			return rep, fmt.Errorf("verify after position %d: %w", rep.LastPosition, err)
		}
		if len(page) == 0 {
			break
		}
		misfiled, err := misfiledIn(ctx, store, rep.LastPosition, page[len(page)-1].Position)
		if err != nil {
			return rep, fmt.Errorf("verify after position %d: %w", rep.LastPosition, err)
		}
		for _, e := range page {
			rep.CheckedEvents++
			reason := checkEvent(tips, rep.LastPosition, sparse, e)
			if reason == "" {
				reason = misfiled[e.Position]
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
// grow.
func checkEvent(tips map[string]streamTip, prevPos uint64, sparse bool, e RecordedEvent) string {
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
	if h := ComputeHash(e.PrevHash, e); h != e.Hash {
		return fmt.Sprintf("hash mismatch: stored %s, computed %s (content was changed)", e.Hash, h)
	}
	return ""
}
