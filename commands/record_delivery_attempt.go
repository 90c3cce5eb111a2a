package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// deliveries are keyed by interaction id (domain.DeliveryStream).
var deliveries = aggregate[domain.Deliveries, domain.RecordDeliveryAttempt]{
	stream:  domain.DeliveryStream,
	initial: func(id string) domain.Deliveries { return domain.Deliveries{InteractionID: id} },
	evolve:  domain.EvolveDeliveries,
	clone:   domain.Deliveries.Clone,
	decide:  domain.DecideDelivery,
	ids:     channelEventID,
}

// RecordDeliveryAttempt records the outcome of one attempt to deliver a
// reply of an interaction, on its delivery stream (delivery-<interactionId>).
// Recording an attempt that is already recorded is a no-op. It returns
// the interaction's delivery record after the command.
func (h *Handler) RecordDeliveryAttempt(ctx context.Context, interactionID string, cmd domain.RecordDeliveryAttempt, meta Meta) (Result, domain.Deliveries, error) {
	return execute(ctx, h, deliveries, interactionID, meta, cmd)
}

// LoadDeliveries returns the delivery record of an interaction's replies
// (no reply in it when nothing was attempted yet).
func (h *Handler) LoadDeliveries(ctx context.Context, interactionID string) (domain.Deliveries, error) {
	cur, err := load(ctx, h, deliveries, interactionID, uuid.Nil)
	return cur.state, err
}
