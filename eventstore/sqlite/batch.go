package sqlite

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

// storedEvent is what the idempotency check needs to know about an event
// already stored (or accepted earlier in the same batch).
type storedEvent struct {
	stream   string
	version  int64
	position uint64
	typ      string
	data     string
}

// row is one events row to insert.
type row struct {
	position uint64
	ev       *newEvent
	stream   string
	streamID int64
	version  int64
	prevHash string
	hash     string
	at       time.Time
	atText   string
}

// batch is one group commit being decided: the requests' outcomes and the
// rows to insert, plus the changes they make to stream heads, kept apart
// from the committed cache until COMMIT succeeds.
type batch struct {
	at         time.Time // recorded_at of every event in the batch
	atText     string    // at, formatted exactly as hashed and stored
	next       uint64    // position of the next accepted event
	nextStream int64     // number (streams.id) of the next new stream
	stored     map[string]storedEvent
	cache      *headCache
	heads      map[string]streamHead // pending: streams changed in this batch
	ids        map[string]int        // pending: events accepted in this batch, by index in rows
	rows       []row
	newStreams []string // pending: streams rows to insert, numbered from the tail's next
	// written and writtenStreams count the rows and newStreams already
	// inserted: a batch is inserted in rounds as late requests join it.
	written        int
	writtenStreams int
	nEvents        int // events in the batch's requests
	results        []response
	kinds          []string // metrics result per request
	// rejected counts requests not accepted: idempotent retries and
	// conflicts.
	rejected int
	// lookedUp says the batch was decided with its ids looked up (stored
	// holds those found).
	lookedUp bool
}

// tail is where the committed log ends: the last position, the last
// stream number and the last recorded_at.
type tail struct {
	position uint64
	streamID int64
	at       time.Time
}

// newBatch starts a batch after t of n requests carrying events events.
func newBatch(t tail, at time.Time, stored map[string]storedEvent, cache *headCache, n, events int) *batch {
	return &batch{
		at:         at,
		atText:     at.Format(time.RFC3339Nano),
		next:       t.position + 1,
		nextStream: t.streamID + 1,
		stored:     stored,
		cache:      cache,
		heads:      make(map[string]streamHead, n),
		ids:        make(map[string]int, events),
		rows:       make([]row, 0, events),
		results:    make([]response, 0, n),
		kinds:      make([]string, 0, n),
	}
}

// add decides one request against the committed state plus the effects of
// the requests before it in the batch.
func (b *batch) add(r *request) {
	b.nEvents += len(r.events)
	res, kind, err := b.decide(r)
	if err != nil {
		b.results = append(b.results, response{err: err})
	} else {
		b.results = append(b.results, response{res: res})
	}
	b.kinds = append(b.kinds, kind)
	if kind != resultOK {
		b.rejected++
	}
}

// events returns the number of events in the batch's requests, accepted
// or not, which the batch bound counts.
func (b *batch) events() int { return b.nEvents }

// tail returns where the log ends once the batch is committed.
func (b *batch) tail() tail {
	at := b.at
	for i := range b.rows {
		if b.rows[i].at.After(at) {
			at = b.rows[i].at
		}
	}
	return tail{position: b.next - 1, streamID: b.nextStream - 1, at: at}
}

func (b *batch) decide(r *request) (eventstore.AppendResult, string, error) {
	res, found, err := b.checkIDs(r)
	if err != nil {
		return res, resultConflict, err
	}
	if found {
		return res, resultIdempotent, nil
	}
	cur := b.head(r.stream)
	if !expectationHolds(r.expected, cur.version) {
		return res, resultConflict, &eventstore.VersionConflictError{Stream: r.stream, Expected: r.expected, Actual: cur.version}
	}
	if err := checkChained(r, cur); err != nil {
		return res, resultConflict, err
	}
	return b.accept(r, cur), resultOK, nil
}

func expectationHolds(expected eventstore.ExpectedVersion, current int64) bool {
	switch expected {
	case eventstore.Any:
		return true
	case eventstore.NoStream:
		return current == -1
	default:
		return int64(expected) == current
	}
}

// head returns the stream's head as this batch sees it. The writer loads
// every stream of the batch into the cache before deciding.
func (b *batch) head(stream string) streamHead {
	if h, ok := b.heads[stream]; ok {
		return h
	}
	if h, ok := b.cache.get(stream); ok {
		return h
	}
	return noStream
}

// lookup finds an event id among those accepted in this batch or stored.
func (b *batch) lookup(id string) (storedEvent, bool) {
	if i, ok := b.ids[id]; ok {
		r := &b.rows[i]
		return storedEvent{stream: r.stream, version: r.version, position: r.position, typ: r.ev.typ, data: r.ev.data}, true
	}
	e, ok := b.stored[id]
	return e, ok
}

// checkIDs reports found=true with the original result when every event of
// r is already stored as r would store it, and an *EventIDConflictError
// when only some are, or when one differs.
func (b *batch) checkIDs(r *request) (res eventstore.AppendResult, found bool, err error) {
	var first, last storedEvent
	var firstID uuid.UUID
	n := 0
	for i := range r.events {
		ev := &r.events[i]
		s, ok := b.lookup(ev.idStr)
		if !ok {
			continue
		}
		if reason := sameEvent(r, ev, s, first, n); reason != "" {
			return res, false, &eventstore.EventIDConflictError{ID: ev.id, Stream: r.stream, Reason: reason}
		}
		if n == 0 {
			first, firstID = s, ev.id
		}
		last = s
		n++
	}
	switch {
	case n == 0:
		return res, false, nil
	case n < len(r.events):
		return res, false, &eventstore.EventIDConflictError{ID: firstID, Stream: r.stream,
			Reason: fmt.Sprintf("%d of the append's %d event ids are already stored; an append is all new or an exact retry", n, len(r.events))}
	}
	return eventstore.AppendResult{FirstPosition: first.position, LastPosition: last.position, NextExpectedVersion: last.version}, true, nil
}

// sameEvent returns why stored event s cannot be the stored copy of ev, the
// n-th already-stored event of r (first is the 0th), or "".
func sameEvent(r *request, ev *newEvent, s, first storedEvent, n int) string {
	switch {
	case s.stream != r.stream:
		return fmt.Sprintf("id already stored on stream %s", s.stream)
	case s.typ != ev.typ:
		return fmt.Sprintf("id already stored with type %s", s.typ)
	case s.data != ev.data:
		return "id already stored with different data"
	case n > 0 && s.version != first.version+int64(n):
		return "ids already stored, but not as one append in this order"
	}
	return ""
}

// accept assigns versions, positions and hashes to r's events, continuing
// the stream's chain from cur, and numbers the stream if it is new.
func (b *batch) accept(r *request, cur streamHead) eventstore.AppendResult {
	if cur.id == 0 {
		cur.id = b.nextStream
		b.nextStream++
		b.newStreams = append(b.newStreams, r.stream)
	}
	res := eventstore.AppendResult{FirstPosition: b.next}
	for i := range r.events {
		ev := &r.events[i]
		version := cur.version + 1
		at, atText, hash := b.at, b.atText, ""
		if ev.chained != nil {
			// checkChained has recomputed it.
			at, atText, hash = ev.chained.at, ev.chained.atText, ev.chained.hash
		} else {
			hash = eventstore.ComputeHash(cur.hash, eventstore.RecordedEvent{
				ID: ev.id, Stream: r.stream, Version: version, Type: ev.typ, Schema: ev.schema,
				Data: []byte(ev.data), Metadata: []byte(ev.meta), RecordedAt: at,
			})
		}
		b.rows = append(b.rows, row{position: b.next, ev: ev, stream: r.stream, streamID: cur.id, version: version, prevHash: cur.hash, hash: hash, at: at, atText: atText})
		b.ids[ev.idStr] = len(b.rows) - 1
		cur = streamHead{id: cur.id, version: version, hash: hash}
		b.next++
	}
	b.heads[r.stream] = cur
	res.LastPosition = b.next - 1
	res.NextExpectedVersion = cur.version
	return res
}

// recorded returns the batch's events as stored, in position order.
func (b *batch) recorded() []eventstore.RecordedEvent {
	out := make([]eventstore.RecordedEvent, len(b.rows))
	for i, r := range b.rows {
		out[i] = eventstore.RecordedEvent{
			ID: r.ev.id, Stream: r.stream, Version: r.version, Position: r.position,
			Type: r.ev.typ, Schema: r.ev.schema, Data: []byte(r.ev.data), Metadata: []byte(r.ev.meta),
			RecordedAt: r.at, PrevHash: r.prevHash, Hash: r.hash,
		}
	}
	return out
}

// checkChained refuses an imported request whose events do not continue
// the stream's chain from cur exactly as they claim: each must name the
// previous event's hash and carry the hash its content gives at the
// version it gets here.
func checkChained(r *request, cur streamHead) error {
	prev, version := cur.hash, cur.version
	for i := range r.events {
		ev := &r.events[i]
		if ev.chained == nil {
			return nil
		}
		version++
		if ev.chained.prevHash != prev {
			return fmt.Errorf("%w: import %s version %d: prev_hash %q does not continue the stream, whose last hash is %q",
				eventstore.ErrInvalidAppend, r.stream, version, ev.chained.prevHash, prev)
		}
		h := eventstore.ComputeHash(prev, eventstore.RecordedEvent{
			ID: ev.id, Stream: r.stream, Version: version, Type: ev.typ, Schema: ev.schema,
			Data: []byte(ev.data), Metadata: []byte(ev.meta), RecordedAt: ev.chained.at,
		})
		if h != ev.chained.hash {
			return fmt.Errorf("%w: import %s version %d: hash %s is not the event's hash %s", eventstore.ErrInvalidAppend, r.stream, version, ev.chained.hash, h)
		}
		prev = h
	}
	return nil
}
