package commands

import (
	"context"

	"github.com/interactionledger/ledger/domain"
)

// LinkIdentity attaches an identity to a customer: first the identity's
// reservation (which refuses an identity owned by someone else), then the
// link on the customer's stream. A call that failed between the two is
// completed by retrying it.
func (h *Handler) LinkIdentity(ctx context.Context, customerID string, identity domain.Identity, meta Meta) (Result, error) {
	norm, err := h.NormalizeIdentity(identity)
	if err != nil {
		return Result{}, err
	}
	if _, err := h.activeCustomer(ctx, customerID); err != nil {
		return Result{}, wrapFlow("link identity", err)
	}
	reserved, _, err := execute(ctx, h, reservations, domain.IdentityStream(norm), meta.withKey("reserve"),
		domain.ReservationCommand(domain.ReserveIdentity{Kind: norm.Kind, CustomerID: customerID}))
	if err != nil {
		return reserved, wrapFlow("link identity", err)
	}
	linked, _, err := execute(ctx, h, customers, customerID, meta.withKey("link"), domain.CustomerCommand(domain.LinkIdentity{Identity: norm}))
	linked.Position = maxPosition(reserved, linked)
	return linked, wrapFlow("link identity", err)
}

// UnlinkIdentity detaches an identity from a customer and releases its
// reservation, so another customer may claim it.
func (h *Handler) UnlinkIdentity(ctx context.Context, customerID string, identity domain.Identity, reason string, meta Meta) (Result, error) {
	norm, err := h.NormalizeIdentity(identity)
	if err != nil {
		return Result{}, err
	}
	unlinked, _, err := execute(ctx, h, customers, customerID, meta.withKey("unlink"),
		domain.CustomerCommand(domain.UnlinkIdentity{Identity: norm, Reason: reason}))
	if err != nil {
		return unlinked, wrapFlow("unlink identity", err)
	}
	released, _, err := execute(ctx, h, reservations, domain.IdentityStream(norm), meta.withKey("release"),
		domain.ReservationCommand(domain.ReleaseIdentity{Kind: norm.Kind, CustomerID: customerID}))
	unlinked.Position = maxPosition(unlinked, released)
	return unlinked, wrapFlow("unlink identity", err)
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
