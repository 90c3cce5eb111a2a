package outbound

import (
	"context"
	"fmt"
	"sync"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// HeadReader tells the ledger's head position (eventstore.Store has it).
type HeadReader interface {
	HeadPosition(ctx context.Context) (uint64, error)
}

// Handover is the checkpoint of a dispatcher taking over the channels of a
// retired dispatcher that kept a checkpoint of its own (as the email
// channel's did before one dispatcher served every channel).
//
// The two positions differ: the retired one (retiredAt) is usually behind.
// The dispatcher starts at retiredAt, so the retired channels' replies it
// had not settled are picked up, and its Skip leaves alone every other
// channel's replies up to its own position (ownAt): those were its own
// to settle already, and re-reading them must not send, late, a reply
// written while its channel had no sender. Saves never move the own
// checkpoint behind ownAt, so a restart mid-way repeats the same handover
// (the retired checkpoint is kept until then); once the position passes
// ownAt, retire is called and the handover is over.
//
// Nothing is sent twice on the retired channels either: the checkpoint
// there only ever passed settled replies, and the dispatcher reads every
// reply's delivery record before an attempt.
type Handover struct {
	own       follow.Checkpoint
	retiredAt uint64
	ownAt     uint64
	channels  map[domain.Channel]bool
	retire    func() error

	mu      sync.Mutex
	at      uint64 // the position last saved (retiredAt before any)
	retired bool
}

// NewHandover returns the checkpoint for a dispatcher whose own checkpoint
// is own, taking over channels from a retired dispatcher that reached
// retiredAt. retire is called once the retired checkpoint is no longer
// needed (to delete it). It returns nil, and calls retire at once, when
// there is nothing to take over: the retired dispatcher was not behind.
// A dispatcher starting for the first time starts at the ledger's head for
// its own channels, as on any first start.
func NewHandover(ctx context.Context, own follow.Checkpoint, head HeadReader, retiredAt uint64, channels []domain.Channel, retire func() error) (*Handover, error) {
	ownAt, ok, err := own.Load(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		if ownAt, err = head.HeadPosition(ctx); err != nil {
			return nil, fmt.Errorf("outbound handover: head position: %w", err)
		}
		// Saved now: a crash before the first save must not move the own
		// channels' start to a later head and skip their replies.
		if err := own.Save(ctx, ownAt); err != nil {
			return nil, err
		}
	}
	if retiredAt >= ownAt {
		return nil, retire()
	}
	set := make(map[domain.Channel]bool, len(channels))
	for _, ch := range channels {
		set[ch] = true
	}
	return &Handover{own: own, retiredAt: retiredAt, ownAt: ownAt, channels: set, retire: retire, at: retiredAt}, nil
}

// Load implements follow.Checkpoint: the dispatcher starts where the retired one
// stopped, or (run again in the same process) where it got to since.
func (h *Handover) Load(context.Context) (uint64, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.at, true, nil
}

// Save implements follow.Checkpoint.
func (h *Handover) Save(ctx context.Context, pos uint64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.own.Save(ctx, max(pos, h.ownAt)); err != nil {
		return err
	}
	h.at = pos
	if pos < h.ownAt || h.retired {
		return nil
	}
	if err := h.retire(); err != nil {
		return fmt.Errorf("outbound handover: retire the old checkpoint: %w", err)
	}
	h.retired = true
	return nil
}

// Skip is the dispatcher's Config.Skip during the handover: replies on the
// dispatcher's own channels at or before its own position were settled
// before.
func (h *Handover) Skip(ch domain.Channel, pos uint64) bool {
	return !h.channels[ch] && pos <= h.ownAt
}
