package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// qaReviews are keyed by interaction id (domain.QaStream).
var qaReviews = aggregate[domain.QaReview, domain.QaCommand]{
	stream:  domain.QaStream,
	initial: func(id string) domain.QaReview { return domain.QaReview{InteractionID: id} },
	evolve:  domain.EvolveQaReview,
	clone:   domain.QaReview.Clone,
	decide:  domain.DecideQaReview,
}

// RecordQaScore appends a scorecard's verdict on a closed interaction to
// its QA review (qa-<interaction id>). Scoring an interaction a scorecard
// already scored appends nothing, so the QA policy may safely see an
// interaction close twice.
func (h *Handler) RecordQaScore(ctx context.Context, interactionID string, cmd domain.RecordQaScore, meta Meta) (Result, error) {
	if cmd.Scored.InteractionID == "" {
		cmd.Scored.InteractionID = interactionID
	}
	if cmd.Scored.InteractionID != interactionID {
		return Result{}, domain.Errorf(domain.EINVALID, "QA score for interaction %s sent to %s", cmd.Scored.InteractionID, interactionID)
	}
	res, _, err := execute(ctx, h, qaReviews, interactionID, meta, domain.QaCommand(cmd))
	return res, err
}

// OverrideQaCriterion lets a supervisor change one criterion's result on a
// scored interaction, with a reason; the review records a QaOverridden
// event carrying the scorecard's new score. Errors: ENOTFOUND when the
// interaction was not scored with that scorecard or the criterion does not
// exist, EINVALID for an unknown result, an empty reason or no supervisor.
// Overriding to the result already recorded appends nothing.
func (h *Handler) OverrideQaCriterion(ctx context.Context, interactionID string, cmd domain.OverrideQaCriterion, meta Meta) (Result, error) {
	res, _, err := execute(ctx, h, qaReviews, interactionID, meta, domain.QaCommand(cmd))
	return res, err
}

// LoadQaReview returns an interaction's QA review (empty when it was not
// scored).
func (h *Handler) LoadQaReview(ctx context.Context, interactionID string) (domain.QaReview, error) {
	cur, err := load(ctx, h, qaReviews, interactionID, uuid.Nil)
	return cur.state, err
}
