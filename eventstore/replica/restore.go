package replica

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// importBatch is how many events one Import call takes.
const importBatch = 2000

// Restored is what a restore brought back.
type Restored struct {
	Events   uint64    // events imported: positions 1..Events
	Segments int       // segments read
	LastAt   time.Time // the last imported event's recording time
	// Available is the replica's last position: above Events when the
	// restore stopped at asOf.
	Available uint64
}

// Progress is told each segment restored: the last position imported and
// the replica's last position.
type Progress func(position, available uint64)

// Restore imports the replica's events into dst, keeping their ids,
// order and hashes. A zero asOf imports every replicated event; otherwise
// the longest prefix of positions whose recording time is at or before
// asOf. A prefix and not a filter: position order is commit order, and
// each event's hash chains it to its stream's previous one, so dropping a
// later-recorded event while keeping one after it (recording times need
// not rise strictly with positions) would break that stream's chain and
// leave a ledger that never existed.
func (t *Target) Restore(ctx context.Context, asOf time.Time, dst eventstore.Importer, progress Progress) (Restored, error) {
	segs, err := t.segments(ctx)
	if err != nil {
		return Restored{}, err
	}
	if len(segs) == 0 {
		return Restored{}, fmt.Errorf("%w: no segments under %s", ErrIncomplete, t)
	}
	res := Restored{Available: segs[len(segs)-1].last}
	for _, s := range segs {
		res.Available = max(res.Available, s.last)
	}
	im := &importer{dst: dst, asOf: asOf}
	for _, s := range segs {
		if s.last <= im.position {
			continue // overlapped by what was already read
		}
		if s.first > im.position+1 {
			return res, fmt.Errorf("%w: positions %d to %d are missing", ErrIncomplete, im.position+1, s.first-1)
		}
		if !asOf.IsZero() && s.firstAt.After(asOf) && s.first == im.position+1 {
			break
		}
		if err := t.restoreSegment(ctx, s, im); err != nil {
			return res, err
		}
		res.Segments++
		if err := im.flush(ctx); err != nil {
			return res, err
		}
		res.Events, res.LastAt = im.position, im.lastAt
		if progress != nil {
			progress(im.position, res.Available)
		}
		if im.done {
			break
		}
	}
	return res, nil
}

// importer imports events in order, in batches, until the first recorded
// after asOf.
type importer struct {
	dst      eventstore.Importer
	asOf     time.Time
	batch    []eventstore.RecordedEvent
	position uint64 // last position taken
	lastAt   time.Time
	done     bool // an event after asOf was met
}

func (im *importer) take(ctx context.Context, e eventstore.RecordedEvent) (bool, error) {
	if e.Position <= im.position {
		return true, nil // a segment overlapping one already read
	}
	if e.Position != im.position+1 {
		return false, fmt.Errorf("%w: position %d follows %d", ErrIncomplete, e.Position, im.position)
	}
	if !im.asOf.IsZero() && e.RecordedAt.After(im.asOf) {
		im.done = true
		return false, nil
	}
	im.batch = append(im.batch, e)
	im.position, im.lastAt = e.Position, e.RecordedAt
	if len(im.batch) >= importBatch {
		return true, im.flush(ctx)
	}
	return true, nil
}

func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	if _, err := im.dst.Import(ctx, im.batch); err != nil {
		return fmt.Errorf("restore: import positions %d to %d: %w", im.batch[0].Position, im.batch[len(im.batch)-1].Position, err)
	}
	im.batch = im.batch[:0]
	return nil
}

func (t *Target) restoreSegment(ctx context.Context, s segment, im *importer) error {
	body, err := t.get(ctx, s.name)
	if err != nil {
		return err
	}
	defer body.Close()
	err = readLines(body, func(w wireEvent) (bool, error) { return im.take(ctx, w.recorded()) })
	if err != nil {
		return fmt.Errorf("restore %s: %w", s.name, err)
	}
	if !im.done && im.position < s.last {
		return fmt.Errorf("%w: %s ends at position %d, its name says %d", ErrIncomplete, s.name, im.position, s.last)
	}
	return nil
}

// KeyRows returns the data key rows a restore needs, whatever its moment:
// every wrapped key and every tombstone, whenever the erasure was (an
// erasure destroyed the key, and a restore never brings it back). Keys
// are not cut at the restore's moment: a key's making time is the key
// store's clock, not its events' (an encrypted migration gives old events
// new keys; nodes' clocks differ), and a key no restored event uses opens
// nothing. None for the replica of a ledger in clear.
func (t *Target) KeyRows(ctx context.Context) ([]datakeys.Row, error) {
	objs, err := t.keyObjects(ctx)
	if err != nil {
		return nil, err
	}
	live, _ := liveKeyObjects(objs)
	byCustomer, err := t.readKeyObjects(ctx, live)
	if err != nil {
		return nil, err
	}
	var rows []datakeys.Row
	for _, r := range byCustomer {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b datakeys.Row) int { return strings.Compare(a.Customer, b.Customer) })
	return rows, nil
}
