package commands

import (
	"context"

	"github.com/interactionledger/ledger/domain"
)

// MergeCustomers merges source into target: the source is marked merged
// (CustomerMerged), the target records what it absorbed (CustomerAbsorbed),
// and each of the source's identity reservations moves to the target. Every
// step is a no-op when already done, so a merge interrupted half-way is
// finished by calling MergeCustomers again. UndoMerge reverts it.
func (h *Handler) MergeCustomers(ctx context.Context, sourceID, targetID, reason string, meta Meta) (Result, error) {
	if sourceID == targetID {
		return Result{}, domain.Errorf(domain.EINVALID, "a customer cannot be merged into itself")
	}
	if _, err := h.activeCustomer(ctx, targetID); err != nil {
		return Result{}, wrapFlow("merge customers", err)
	}
	marked, source, err := executePlan(ctx, h, customers, sourceID, meta.withKey("merge"), "MergeInto",
		func(cur loaded[domain.Customer]) []domain.CustomerCommand {
			if cur.state.MergedInto == targetID {
				return nil
			}
			return []domain.CustomerCommand{domain.MergeInto{TargetID: targetID, Reason: reason}}
		})
	if err != nil {
		return marked, wrapFlow("merge customers", err)
	}
	absorbed, _, err := execute(ctx, h, customers, targetID, meta.withKey("absorb"),
		domain.CustomerCommand(domain.Absorb{SourceID: sourceID, Identities: source.Identities}))
	if err != nil {
		return absorbed, wrapFlow("merge customers", err)
	}
	moved, err := h.transferIdentities(ctx, source.Identities, sourceID, targetID, meta.withKey("transfer"))
	absorbed.Position = maxPosition(marked, absorbed, moved)
	return absorbed, wrapFlow("merge customers", err)
}

// UndoMerge reverts the merge of source into whichever customer absorbed
// it: the source becomes a customer of its own again and takes back the
// identities it brought.
func (h *Handler) UndoMerge(ctx context.Context, sourceID, reason string, meta Meta) (Result, error) {
	source, err := h.LoadCustomer(ctx, sourceID)
	if err != nil {
		return Result{}, wrapFlow("undo merge", err)
	}
	targetID := source.MergedInto
	if targetID == "" {
		return Result{}, domain.Errorf(domain.ECONFLICT, "customer %s is not merged into another customer", sourceID)
	}
	// The source keeps the identities it brought in its own state, so an
	// undo interrupted after the release still knows what to move back.
	identities := source.Identities
	released, _, err := execute(ctx, h, customers, targetID, meta.withKey("release"), domain.CustomerCommand(domain.Release{SourceID: sourceID}))
	if err != nil {
		return released, wrapFlow("undo merge", err)
	}
	moved, err := h.transferIdentities(ctx, identities, targetID, sourceID, meta.withKey("transfer-back"))
	if err != nil {
		return moved, wrapFlow("undo merge", err)
	}
	undone, _, err := execute(ctx, h, customers, sourceID, meta.withKey("undo"), domain.CustomerCommand(domain.UndoMerge{Reason: reason}))
	undone.Position = maxPosition(released, moved, undone)
	return undone, wrapFlow("undo merge", err)
}

// transferIdentities moves each identity's reservation from one customer
// to another.
func (h *Handler) transferIdentities(ctx context.Context, ids []domain.Identity, from, to string, meta Meta) (Result, error) {
	var last Result
	for _, id := range ids {
		res, _, err := execute(ctx, h, reservations, domain.IdentityStream(id), meta.withKey(id.String()),
			domain.ReservationCommand(domain.TransferIdentity{Kind: id.Kind, From: from, To: to}))
		if err != nil {
			return res, err
		}
		last.Position = maxPosition(last, res)
	}
	return last, nil
}
