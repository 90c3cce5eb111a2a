package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// Sealer is what an encrypted ledger's store offers the command layer
// (eventstore/unseal.Store): sealing a personal field with a customer's
// data key, and the key of the HMAC that names identity and conversation
// streams. A handler over such a store seals every personal field
// (domain.MapPersonal) of the events it appends; over any other store it
// writes them in clear, as ledgers were written before encryption.
type Sealer interface {
	Seal(ctx context.Context, customerID, plaintext string) (string, error)
	StreamNameKey() []byte
}

// StreamNames names the streams keyed by what customers send from, the
// way this handler's ledger names them.
func (h *Handler) StreamNames() domain.StreamNames { return h.names }

// Encrypted reports whether the handler seals personal fields.
func (h *Handler) Encrypted() bool { return h.sealer != nil }

// seal returns events with their personal fields sealed for customer.
// Events of no customer (customer "") are returned as they are: their
// aggregates hold no personal data.
func (h *Handler) seal(ctx context.Context, customer string, events []domain.Event) ([]domain.Event, error) {
	if h.sealer == nil || customer == "" {
		return events, nil
	}
	out := make([]domain.Event, len(events))
	var err error
	for i, e := range events {
		out[i] = domain.MapPersonal(e, func(field, v string) string {
			sealed, serr := h.sealer.Seal(ctx, customer, v)
			if serr != nil && err == nil {
				err = fmt.Errorf("%s of %s: %w", field, e.EventType(), serr)
				if errors.Is(serr, datakeys.ErrErased) {
					err = fmt.Errorf("%w: %w", domain.Errorf(domain.ECONFLICT, "customer %s was erased", customer), err)
				}
			}
			return sealed
		})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}
