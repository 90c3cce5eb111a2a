package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// OverrideQaCriterion answers Mutation.overrideQaCriterion: a supervisor
// corrects one criterion of an automatic QA scorecard.
func (r *resolver) OverrideQaCriterion(ctx context.Context, args struct {
	InteractionID  gql.ID
	Scorecard      string
	Criterion      string
	Result         string
	Reason         string
	IdempotencyKey *string
}) (*qaOverrideResolver, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpOverrideQa, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	interactionID := string(args.InteractionID)
	res, err := r.cmds.OverrideQaCriterion(ctx, interactionID, domain.OverrideQaCriterion{
		ScorecardID: args.Scorecard, CriterionID: args.Criterion,
		Result: domain.QaResult(args.Result), Reason: args.Reason, SupervisorID: v.Subject,
	}, meta)
	if err != nil {
		return nil, err
	}
	// The score after the override (or unchanged, for a no-op) is the
	// review's, read back rather than recomputed here.
	review, err := r.cmds.LoadQaReview(ctx, interactionID)
	if err != nil {
		return nil, err
	}
	return &qaOverrideResolver{
		interactionID: interactionID, scorecard: args.Scorecard,
		score: review.Scorecards[args.Scorecard].Score, position: res.Position,
	}, nil
}

// qaOverrideResolver is a QaOverride.
type qaOverrideResolver struct {
	interactionID, scorecard string
	score                    int
	position                 uint64
}

func (q *qaOverrideResolver) InteractionID() gql.ID { return gql.ID(q.interactionID) }
func (q *qaOverrideResolver) Scorecard() string     { return q.scorecard }
func (q *qaOverrideResolver) Score() int32          { return int32(q.score) }
func (q *qaOverrideResolver) Position() Long        { return Long(q.position) }
