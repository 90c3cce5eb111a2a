package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"time"
)

// ComputeHash returns the hex SHA-256 that chains an event to its stream:
// it covers the previous event's hash and every field of the event except
// its global position (positions are the store's bookkeeping and differ
// between back ends; the chain is per stream). Each field is length-prefixed
// so no two different events encode to the same bytes.
func ComputeHash(prevHash string, e RecordedEvent) string {
	h := sha256.New()
	writeField(h, []byte(prevHash))
	writeField(h, e.ID[:])
	writeField(h, []byte(e.Stream))
	writeInt(h, e.Version)
	writeField(h, []byte(e.Type))
	writeInt(h, int64(e.Schema))
	writeField(h, e.Data)
	writeField(h, e.Metadata)
	writeField(h, []byte(e.RecordedAt.UTC().Format(time.RFC3339Nano)))
	return hex.EncodeToString(h.Sum(nil))
}

func writeField(h hash.Hash, b []byte) {
	writeInt(h, int64(len(b)))
	h.Write(b)
}

func writeInt(h hash.Hash, n int64) {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	h.Write(buf[:])
}
