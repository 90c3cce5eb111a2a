package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// KeyEraser destroys customers' data keys: what an encrypted ledger's
// store offers besides sealing (eventstore/unseal.Store).
type KeyEraser interface {
	EraseKey(ctx context.Context, customerID string, at time.Time) error
}

// EraseCustomer honours a customer's request to erase their personal data
// (domain.CustomerErased), in an order that a retry after a crash at any
// step completes:
//  1. the customer's identities are released, so that the same phone
//     number or address may be claimed afresh (while they can still be
//     read: their stream names are digests of the values);
//  2. the data keys of the customer and of the customers merged into them
//     are destroyed: from then on every personal field they sealed reads
//     as domain.ErasedText, in every read of the ledger;
//  3. CustomerErased is appended, which the read models, analytics and the
//     outbound queue act on.
//
// Only an encrypted ledger can erase: a ledger in clear answers with an
// error saying to migrate it first.
func (h *Handler) EraseCustomer(ctx context.Context, customerID, reason string, meta Meta) (Result, error) {
	return runFlow(ctx, h, "EraseCustomer", func() (Result, Result, error) {
		eraser, ok := h.sealer.(KeyEraser)
		if !ok {
			return Result{}, Result{}, domain.Errorf(domain.ECONFLICT, "this ledger keeps personal data in clear, so nothing can be erased from it: migrate it to an encrypted copy first (ledger migrate --encrypt)")
		}
		if _, err := domain.DecideCustomer(domain.Customer{ID: customerID, Registered: true}, domain.EraseCustomer{Reason: reason}, h.now()); err != nil {
			return Result{}, Result{}, err // the reason is checked before anything changes
		}
		c, err := h.LoadCustomer(ctx, customerID)
		if err != nil {
			return Result{}, Result{}, err
		}
		if c.MergedInto != "" {
			return Result{}, Result{}, domain.Errorf(domain.ECONFLICT, "customer %s was merged into %s: erase that customer", customerID, c.MergedInto)
		}
		released, err := h.releaseAll(ctx, c, meta)
		if err != nil {
			return released, released, err
		}
		if !c.Erased {
			for _, id := range c.ErasedCustomers() {
				if err := eraser.EraseKey(ctx, id, h.now()); err != nil {
					return released, released, fmt.Errorf("destroy the data key of %s: %w", id, err)
				}
			}
		}
		erased, _, err := execute(ctx, h, customers, customerID, meta.withKey("erase"),
			domain.CustomerCommand(domain.EraseCustomer{Reason: reason, ErasedBy: meta.Actor}))
		erased.Position = maxPosition(released, erased)
		return erased, erased, err
	})
}

// releaseAll releases the reservations of the customer's identities.
// Identities that already read as erased were released by an earlier
// attempt, before the keys went.
func (h *Handler) releaseAll(ctx context.Context, c domain.Customer, meta Meta) (Result, error) {
	var last Result
	for _, id := range c.Identities {
		if id.Value == domain.ErasedText {
			continue
		}
		res, _, err := execute(ctx, h, reservations, h.names.Identity(id), meta.withKey("erase-release"),
			domain.ReservationCommand(domain.ReleaseIdentity{Kind: id.Kind, CustomerID: c.ID}))
		if err != nil {
			return last, fmt.Errorf("release %s identity of %s: %w", id.Kind, c.ID, err)
		}
		last.Position = maxPosition(last, res)
	}
	return last, nil
}
