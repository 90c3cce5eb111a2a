package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// hashBufSize is the stack buffer ComputeHash assembles an event in; a
// larger event spills to the heap.
const hashBufSize = 1024

// ComputeHash returns the hex SHA-256 that chains an event to its stream:
// it covers the previous event's hash and every field of the event except
// its global position (positions are the store's bookkeeping and differ
// between back ends; the chain is per stream). Each field is length-prefixed
// so no two different events encode to the same bytes.
//
// The store computes one for every event it appends, on its single writer
// goroutine, so the fields are assembled in one buffer and hashed at once
// rather than written to a hash.Hash piece by piece.
func ComputeHash(prevHash string, e RecordedEvent) string {
	var stack [hashBufSize]byte
	var at [64]byte
	b := appendField(stack[:0], prevHash)
	b = appendField(b, e.ID[:])
	b = appendField(b, e.Stream)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Version))
	b = appendField(b, e.Type)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(e.Schema)))
	b = appendField(b, e.Data)
	b = appendField(b, e.Metadata)
	b = appendField(b, e.RecordedAt.UTC().AppendFormat(at[:0], time.RFC3339Nano))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendField appends f to b, prefixed with its length as 8 big-endian
// bytes.
func appendField[T string | []byte](b []byte, f T) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
	return append(b, f...)
}
