package esdbwire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Chain is what a ledger event carries besides EventStoreDB's own fields.
type Chain struct {
	Schema     int       `json:"schema"`
	RecordedAt time.Time `json:"recordedAt,omitzero"`
	PrevHash   string    `json:"prevHash,omitempty"`
	Hash       string    `json:"hash,omitempty"`
}

// Chained reports whether the chain names its event's hash: an event the
// writer chained itself, which the store keeps as it is.
func (c Chain) Chained() bool { return c.Hash != "" }

// envelopeKey opens every envelope; other clients' metadata never starts
// with it because the ledger's own keys never start with "$".
const envelopeKey = `{"$ledger":`

// Wrap returns the custom metadata that carries chain and metadata.
func Wrap(chain Chain, metadata []byte) []byte {
	head, _ := json.Marshal(chain) // a struct of strings, ints and a time: cannot fail
	if len(metadata) == 0 {
		metadata = []byte("{}")
	}
	b := make([]byte, 0, len(envelopeKey)+len(head)+len(metadata)+16)
	b = append(b, envelopeKey...)
	b = append(b, head...)
	b = append(b, `,"metadata":`...)
	b = append(b, metadata...)
	return append(b, '}')
}

// envelope is Wrap's output, decoded.
type envelope struct {
	Ledger   *Chain          `json:"$ledger"`
	Metadata json.RawMessage `json:"metadata"`
}

// Unwrap splits custom metadata into the chain and the ledger's metadata.
// Metadata without an envelope is returned as it is, with a zero chain.
func Unwrap(custom []byte) (Chain, []byte, error) {
	if !bytes.HasPrefix(custom, []byte(envelopeKey)) {
		return Chain{}, custom, nil
	}
	var env envelope
	if err := json.Unmarshal(custom, &env); err != nil {
		return Chain{}, nil, fmt.Errorf("ledger envelope: %w", err)
	}
	if env.Ledger == nil || env.Metadata == nil {
		return Chain{}, nil, fmt.Errorf("ledger envelope: want $ledger and metadata")
	}
	if env.Ledger.Schema < 0 {
		return Chain{}, nil, fmt.Errorf("ledger envelope: negative schema %d", env.Ledger.Schema)
	}
	return *env.Ledger, env.Metadata, nil
}

// Ticks is how EventStoreDB's "created" system metadata gives a time:
// 100-nanosecond ticks since the Unix epoch, in decimal.
func Ticks(t time.Time) string { return strconv.FormatInt(t.UnixNano()/100, 10) }

// System metadata keys every recorded event carries.
const (
	KeyType        = "type"
	KeyContentType = "content-type"
	KeyCreated     = "created"
	ContentJSON    = "application/json"
)

// IDConflictPrefix starts the message of the AlreadyExists status the
// ledger's endpoint answers an append with when one of its event ids is
// stored with other content: "<prefix><id> <stream>: <reason>". The esdb
// store turns it back into an *eventstore.EventIDConflictError.
const IDConflictPrefix = "ledger: event id conflict: "
