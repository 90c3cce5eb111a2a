package commands

import (
	"context"
	"errors"

	"github.com/interactionledger/ledger/domain"
)

// LinkIdentity attaches an identity to a customer: first the identity's
// reservation (which refuses an identity owned by someone else), then the
// link on the customer's stream. A call that failed between the two is
// completed by retrying it; a link the customer refuses (it was merged away
// meanwhile) gives the reservation back.
func (h *Handler) LinkIdentity(ctx context.Context, customerID string, identity domain.Identity, meta Meta) (Result, error) {
	return runFlow(ctx, h, "LinkIdentity", func() (Result, Result, error) {
		res, err := h.linkIdentity(ctx, customerID, identity, meta)
		return res, res, err
	})
}

func (h *Handler) linkIdentity(ctx context.Context, customerID string, identity domain.Identity, meta Meta) (Result, error) {
	norm, err := h.NormalizeIdentity(identity)
	if err != nil {
		return Result{}, err
	}
	if _, err := h.activeCustomer(ctx, customerID); err != nil {
		return Result{}, err
	}
	stream := h.names.Identity(norm)
	reserved, _, err := execute(ctx, h, reservations, stream, meta.withKey("reserve"),
		domain.ReservationCommand(domain.ReserveIdentity{Kind: norm.Kind, CustomerID: customerID}))
	if err != nil {
		return reserved, err
	}
	linked, _, err := execute(ctx, h, customers, customerID, meta.withKey("link"), domain.CustomerCommand(domain.LinkIdentity{Identity: norm}))
	if err != nil && reserved.Position != 0 {
		_, _, undoErr := execute(ctx, h, reservations, stream, meta.withKey("unreserve"),
			domain.ReservationCommand(domain.ReleaseIdentity{Kind: norm.Kind, CustomerID: customerID}))
		return linked, errors.Join(err, undoErr)
	}
	linked.Position = maxPosition(reserved, linked)
	return linked, err
}

// UnlinkIdentity detaches an identity from a customer and releases its
// reservation, so another customer may claim it.
func (h *Handler) UnlinkIdentity(ctx context.Context, customerID string, identity domain.Identity, reason string, meta Meta) (Result, error) {
	return runFlow(ctx, h, "UnlinkIdentity", func() (Result, Result, error) {
		norm, err := h.NormalizeIdentity(identity)
		if err != nil {
			return Result{}, Result{}, err
		}
		unlinked, _, err := execute(ctx, h, customers, customerID, meta.withKey("unlink"),
			domain.CustomerCommand(domain.UnlinkIdentity{Identity: norm, Reason: reason}))
		if err != nil {
			return unlinked, unlinked, err
		}
		released, _, err := execute(ctx, h, reservations, h.names.Identity(norm), meta.withKey("release"),
			domain.ReservationCommand(domain.ReleaseIdentity{Kind: norm.Kind, CustomerID: customerID}))
		unlinked.Position = maxPosition(unlinked, released)
		return unlinked, unlinked, err
	})
}

// activeCustomer loads a customer that exists and was not merged away.
func (h *Handler) activeCustomer(ctx context.Context, customerID string) (domain.Customer, error) {
	c, err := h.LoadCustomer(ctx, customerID)
	if err != nil {
		return c, err
	}
	if c.MergedInto != "" {
		return c, domain.Errorf(domain.ECONFLICT, "customer %s was merged into %s", customerID, c.MergedInto)
	}
	return c, nil
}
