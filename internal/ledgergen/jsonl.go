package ledgergen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
)

// line is one recorded event as committed: everything the hash covers,
// with data and metadata as the JSON they are (readable in a diff) rather
// than as strings. Read checks each line's hash, so a byte that changed
// on the way (an editor, a re-encoding) fails loudly instead of being
// imported as a different event.
type line struct {
	Position   uint64          `json:"position"`
	Stream     string          `json:"stream"`
	Version    int64           `json:"version"`
	Type       string          `json:"type"`
	Schema     int             `json:"schema"`
	ID         uuid.UUID       `json:"id"`
	RecordedAt time.Time       `json:"recordedAt"`
	Data       json.RawMessage `json:"data"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	PrevHash   string          `json:"prevHash,omitempty"`
	Hash       string          `json:"hash"`
}

// Write writes events one JSON object a line, in order.
func Write(w io.Writer, events []eventstore.RecordedEvent) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep the recorded bytes as they are
	for _, e := range events {
		l := line{Position: e.Position, Stream: e.Stream, Version: e.Version, Type: e.Type, Schema: e.Schema, ID: e.ID,
			RecordedAt: e.RecordedAt, Data: e.Data, Metadata: e.Metadata, PrevHash: e.PrevHash, Hash: e.Hash}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("write %s@%d: %w", e.Stream, e.Version, err)
		}
	}
	return nil
}

// Read reads what Write wrote and checks every event's hash over its
// bytes as read.
func Read(r io.Reader) ([]eventstore.RecordedEvent, error) {
	var events []eventstore.RecordedEvent
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		e := eventstore.RecordedEvent{Position: l.Position, Stream: l.Stream, Version: l.Version, Type: l.Type, Schema: l.Schema, ID: l.ID,
			RecordedAt: l.RecordedAt, Data: []byte(l.Data), Metadata: []byte(l.Metadata), PrevHash: l.PrevHash, Hash: l.Hash}
		if got := eventstore.ComputeHash(e.PrevHash, e); got != e.Hash {
			return nil, fmt.Errorf("line %d (%s@%d): the bytes hash to %s, not the recorded %s", n, e.Stream, e.Version, got, e.Hash)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return events, nil
}

// ReadAll returns every event of store in $all order.
func ReadAll(ctx context.Context, store eventstore.Store) ([]eventstore.RecordedEvent, error) {
	var all []eventstore.RecordedEvent
	for after := uint64(0); ; {
		page, err := store.ReadAll(ctx, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("read $all after %d: %w", after, err)
		}
		if len(page) == 0 {
			return all, nil
		}
		all = append(all, page...)
		after = page[len(page)-1].Position
	}
}
