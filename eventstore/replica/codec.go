package replica

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// wireEvent is a recorded event as a segment line. Data and metadata go
// as base64 of the stored bytes, not as embedded JSON: the hash covers
// the bytes, and re-encoding JSON could change them.
type wireEvent struct {
	ID         uuid.UUID `json:"id"`
	Stream     string    `json:"stream"`
	Version    int64     `json:"version"`
	Position   uint64    `json:"position"`
	Type       string    `json:"type"`
	Schema     int       `json:"schema"`
	Data       []byte    `json:"data"`
	Metadata   []byte    `json:"metadata"`
	RecordedAt time.Time `json:"recorded_at"`
	PrevHash   string    `json:"prev_hash,omitempty"`
	Hash       string    `json:"hash"`
}

func toWire(e eventstore.RecordedEvent) wireEvent {
	return wireEvent{ID: e.ID, Stream: e.Stream, Version: e.Version, Position: e.Position, Type: e.Type, Schema: e.Schema,
		Data: e.Data, Metadata: e.Metadata, RecordedAt: e.RecordedAt, PrevHash: e.PrevHash, Hash: e.Hash}
}

func (w wireEvent) recorded() eventstore.RecordedEvent {
	return eventstore.RecordedEvent{ID: w.ID, Stream: w.Stream, Version: w.Version, Position: w.Position, Type: w.Type, Schema: w.Schema,
		Data: w.Data, Metadata: w.Metadata, RecordedAt: eventstore.CanonicalTime(w.RecordedAt), PrevHash: w.PrevHash, Hash: w.Hash}
}

// wireKey is a data key row as a key object's line: the key wrapped by
// the master key, or a tombstone.
type wireKey struct {
	Customer  string `json:"customer"`
	Wrapped   []byte `json:"wrapped,omitempty"`
	CreatedAt int64  `json:"created_at"`
	ErasedAt  int64  `json:"erased_at,omitempty"`
}

func toWireKey(r datakeys.Row) wireKey {
	if r.ErasedAt != 0 {
		r.Wrapped = nil // a tombstone ships no key bytes, whatever it held
	}
	return wireKey{Customer: r.Customer, Wrapped: r.Wrapped, CreatedAt: r.CreatedAt, ErasedAt: r.ErasedAt}
}

func (w wireKey) row() datakeys.Row {
	return datakeys.Row{Customer: w.Customer, Wrapped: w.Wrapped, CreatedAt: w.CreatedAt, ErasedAt: w.ErasedAt}
}

// gzipLines encodes values one JSON object a line, gzipped.
type gzipLines struct {
	buf bytes.Buffer
	zw  *gzip.Writer
	enc *json.Encoder
	raw int // bytes before compression
}

func newGzipLines() *gzipLines {
	g := &gzipLines{}
	g.zw = gzip.NewWriter(&g.buf)
	g.enc = json.NewEncoder(countingWriter{g.zw, &g.raw})
	return g
}

func (g *gzipLines) add(v any) error { return g.enc.Encode(v) }

func (g *gzipLines) bytes() ([]byte, error) {
	if err := g.zw.Close(); err != nil {
		return nil, err
	}
	return g.buf.Bytes(), nil
}

type countingWriter struct {
	w io.Writer
	n *int
}

func (c countingWriter) Write(p []byte) (int, error) {
	*c.n += len(p)
	return c.w.Write(p)
}

// readLines decodes a gzipped object's lines into each, in order, until
// each returns false or the lines end.
func readLines[T any](r io.Reader, each func(T) (bool, error)) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("gunzip: %w", err)
	}
	defer zr.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(zr, 1<<16))
	for {
		// Decode, not More: More reports false on any error, so a body cut
		// at a line's end or a failed gzip checksum would pass for the end.
		var v T
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("decode line: %w", err)
		}
		more, err := each(v)
		if err != nil || !more {
			return err
		}
	}
}
