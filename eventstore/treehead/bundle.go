package treehead

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/interactionledger/ledger/eventstore"
)

// BundleFormat names the audit bundle format in every bundle.
const BundleFormat = "interaction-ledger-audit-bundle/v1"

// Bundle is a self-contained audit bundle: a selection of the ledger's
// events, each with its chain hash and its inclusion proof in a signed
// tree head, the head, and the key that signed it. Verify checks it
// offline, without the ledger.
type Bundle struct {
	Format string `json:"format"`
	// Selection says what was exported, for people.
	Selection  string        `json:"selection"`
	SignedHead string        `json:"signedHead"`
	PublicKey  string        `json:"publicKey"`
	Events     []BundleEvent `json:"events"`
}

// BundleEvent is one event of a bundle, exactly as recorded: data and
// metadata are the recorded bytes, as strings.
type BundleEvent struct {
	ID         uuid.UUID `json:"id"`
	Stream     string    `json:"stream"`
	Version    int64     `json:"version"`
	Position   uint64    `json:"position"`
	Type       string    `json:"type"`
	Schema     int       `json:"schema"`
	Data       string    `json:"data"`
	Metadata   string    `json:"metadata"`
	RecordedAt time.Time `json:"recordedAt"`
	PrevHash   string    `json:"prevHash"`
	Hash       string    `json:"hash"`
	LeafIndex  uint64    `json:"leafIndex"`
	Proof      [][]byte  `json:"proof"`
}

// NewBundleEvent is e with its place in the tree and its proof.
func NewBundleEvent(e eventstore.RecordedEvent, leafIndex uint64, proof [][]byte) BundleEvent {
	return BundleEvent{ID: e.ID, Stream: e.Stream, Version: e.Version, Position: e.Position, Type: e.Type, Schema: e.Schema,
		Data: string(e.Data), Metadata: string(e.Metadata), RecordedAt: e.RecordedAt, PrevHash: e.PrevHash, Hash: e.Hash,
		LeafIndex: leafIndex, Proof: proof}
}

// recorded is the event as the ledger records it.
func (b BundleEvent) recorded() eventstore.RecordedEvent {
	return eventstore.RecordedEvent{ID: b.ID, Stream: b.Stream, Version: b.Version, Position: b.Position, Type: b.Type, Schema: b.Schema,
		Data: []byte(b.Data), Metadata: []byte(b.Metadata), RecordedAt: b.RecordedAt, PrevHash: b.PrevHash, Hash: b.Hash}
}

func (b BundleEvent) String() string {
	return fmt.Sprintf("event %s (stream %s, version %d, position %d)", b.ID, b.Stream, b.Version, b.Position)
}

// Verify checks the bundle with verifier (the key the auditor trusts):
// the head's signature; each event's hash over its content; that each
// event is in the signed tree; and, within a stream, that consecutive
// versions chain. The error names the first event that fails.
func (b Bundle) Verify(verifier note.Verifier) (Head, error) {
	if b.Format != BundleFormat {
		return Head{}, fmt.Errorf("not an audit bundle of this format: %q", b.Format)
	}
	head, err := Open([]byte(b.SignedHead), verifier)
	if err != nil {
		return Head{}, err
	}
	if len(b.Events) == 0 {
		return head, errors.New("the bundle holds no events")
	}
	last := map[string]BundleEvent{}
	for _, e := range b.Events {
		rec := e.recorded()
		if h := eventstore.ComputeHash(e.PrevHash, rec); h != e.Hash {
			return head, fmt.Errorf("%s: its content does not match its hash (stored %s, computed %s)", e, e.Hash, h)
		}
		if e.LeafIndex >= head.Size {
			return head, fmt.Errorf("%s: leaf %d is outside the signed tree of %d events", e, e.LeafIndex, head.Size)
		}
		if err := VerifyInclusion(e.LeafIndex, head.Size, LeafHash(rec), e.Proof, head.Root); err != nil {
			return head, fmt.Errorf("%s: not in the signed tree: %w", e, err)
		}
		if prev, ok := last[e.Stream]; ok && prev.Version+1 == e.Version && e.PrevHash != prev.Hash {
			return head, fmt.Errorf("%s: does not follow version %d of its stream", e, prev.Version)
		}
		last[e.Stream] = e
	}
	return head, nil
}
