package commands

import (
	"context"
	"errors"

	"github.com/interactionledger/ledger/domain"
)

// MergeCustomers merges source into target. The target records what it
// absorbs first (CustomerAbsorbed, refused when the target was itself merged
// away), then the source is marked merged (CustomerMerged, refused when the
// source absorbed the target: an opposite merge racing this one, which is
// then compensated by releasing the target's record), and finally each of
// the source's identity reservations moves to the target. Every step is a
// no-op when already done, so a merge interrupted half-way is finished by
// calling MergeCustomers again. UndoMerge reverts it.
func (h *Handler) MergeCustomers(ctx context.Context, sourceID, targetID, reason string, meta Meta) (Result, error) {
	return runFlow(ctx, h, "MergeCustomers", func() (Result, Result, error) {
		res, err := h.mergeCustomers(ctx, sourceID, targetID, reason, meta)
		return res, res, err
	})
}

func (h *Handler) mergeCustomers(ctx context.Context, sourceID, targetID, reason string, meta Meta) (Result, error) {
	if sourceID == targetID {
		return Result{}, domain.Errorf(domain.EINVALID, "a customer cannot be merged into itself")
	}
	source, err := h.LoadCustomer(ctx, sourceID)
	if err != nil {
		return Result{}, err
	}
	if source.MergedInto != "" && source.MergedInto != targetID {
		return Result{}, domain.Errorf(domain.ECONFLICT, "customer %s was merged into %s", sourceID, source.MergedInto)
	}
	absorbed, _, err := execute(ctx, h, customers, targetID, meta.withKey("absorb"),
		domain.CustomerCommand(domain.Absorb{SourceID: sourceID, Identities: source.Identities}))
	if err != nil {
		return absorbed, err
	}
	marked, _, err := execute(ctx, h, customers, sourceID, meta.withKey("merge"),
		domain.CustomerCommand(domain.MergeInto{TargetID: targetID, Reason: reason}))
	if err != nil {
		_, _, undoErr := execute(ctx, h, customers, targetID, meta.withKey("unabsorb"), domain.CustomerCommand(domain.Release{SourceID: sourceID}))
		return marked, errors.Join(err, undoErr)
	}
	moved, skipped, err := h.transferIdentities(ctx, source.Identities, sourceID, targetID, meta.withKey("transfer"))
	if err != nil {
		return moved, err
	}
	dropped, err := h.dropIdentities(ctx, targetID, skipped, meta.withKey("drop"))
	marked.Position = maxPosition(absorbed, marked, moved, dropped)
	return marked, err
}

// UndoMerge reverts the merge of source into whichever customer absorbed
// it: the identities the source brought move back (those still held by
// the target; one unlinked since stays free), the target records the
// release, and the source becomes a customer of its own again. Until that
// last step the source stays merged, so an undo interrupted half-way is
// finished by calling UndoMerge again.
func (h *Handler) UndoMerge(ctx context.Context, sourceID, reason string, meta Meta) (Result, error) {
	return runFlow(ctx, h, "UndoMerge", func() (Result, Result, error) {
		res, err := h.undoMerge(ctx, sourceID, reason, meta)
		return res, res, err
	})
}

func (h *Handler) undoMerge(ctx context.Context, sourceID, reason string, meta Meta) (Result, error) {
	source, err := h.LoadCustomer(ctx, sourceID)
	if err != nil {
		return Result{}, err
	}
	targetID := source.MergedInto
	if targetID == "" {
		return Result{}, domain.Errorf(domain.ECONFLICT, "customer %s is not merged into another customer", sourceID)
	}
	// The source keeps the identities it brought in its own state, so the
	// undo knows what to move back even after the target's release.
	moved, skipped, err := h.transferIdentities(ctx, source.Identities, targetID, sourceID, meta.withKey("transfer-back"))
	if err != nil {
		return moved, err
	}
	released, _, err := execute(ctx, h, customers, targetID, meta.withKey("release"), domain.CustomerCommand(domain.Release{SourceID: sourceID}))
	if err != nil {
		return released, err
	}
	undone, _, err := execute(ctx, h, customers, sourceID, meta.withKey("undo"), domain.CustomerCommand(domain.UndoMerge{Reason: reason}))
	if err != nil {
		return undone, err
	}
	dropped, err := h.dropIdentities(ctx, sourceID, skipped, meta.withKey("drop"))
	undone.Position = maxPosition(moved, released, undone, dropped)
	return undone, err
}

// transferIdentities moves each identity's reservation from one customer
// to another. An identity no longer held by from (unlinked and released,
// or claimed by someone else since) is left where it is: it is not from's
// to give. Those are returned as skipped.
func (h *Handler) transferIdentities(ctx context.Context, ids []domain.Identity, from, to string, meta Meta) (Result, []domain.Identity, error) {
	var last Result
	var skipped []domain.Identity
	for _, id := range ids {
		res, _, err := execute(ctx, h, reservations, h.names.Identity(id), meta.withKey(id.String()),
			domain.ReservationCommand(domain.TransferIdentity{Kind: id.Kind, From: from, To: to}))
		if isCode(err, domain.ECONFLICT) {
			skipped = append(skipped, id)
			continue
		}
		if err != nil {
			return res, skipped, err
		}
		last.Position = maxPosition(last, res)
	}
	return last, skipped, nil
}

// dropIdentities unlinks from a customer the identities a merge or its undo
// could not move to it, so its profile never claims a handle whose
// reservation it does not hold.
func (h *Handler) dropIdentities(ctx context.Context, customerID string, ids []domain.Identity, meta Meta) (Result, error) {
	var last Result
	for _, id := range ids {
		res, _, err := execute(ctx, h, customers, customerID, meta.withKey(id.String()),
			domain.CustomerCommand(domain.UnlinkIdentity{Identity: id, Reason: "held by another customer or released while merged"}))
		if err != nil {
			return res, err
		}
		last.Position = maxPosition(last, res)
	}
	return last, nil
}
