package graphql

import (
	"context"
	"slices"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// QaReview answers Query.qaReview: the scorecards of one interaction's QA
// review (qa-<id>), folded from the ledger, overrides applied.
func (r *resolver) QaReview(ctx context.Context, args struct{ InteractionID gql.ID }) ([]*qaScorecardResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadQa); err != nil {
		return nil, err
	}
	review, err := r.cmds.LoadQaReview(ctx, string(args.InteractionID))
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(review.Scorecards))
	for id := range review.Scorecards {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*qaScorecardResolver, len(ids))
	for i, id := range ids {
		out[i] = &qaScorecardResolver{s: review.Scorecards[id]}
	}
	return out, nil
}

// qaScorecardResolver is a QaScorecard.
type qaScorecardResolver struct{ s domain.QaScored }

func (q *qaScorecardResolver) InteractionID() gql.ID { return gql.ID(q.s.InteractionID) }
func (q *qaScorecardResolver) Scorecard() string     { return q.s.ScorecardID }
func (q *qaScorecardResolver) Score() int32          { return int32(q.s.Score) }
func (q *qaScorecardResolver) AgentID() *gql.ID      { return idOf(q.s.AgentID) }
func (q *qaScorecardResolver) Team() *string         { return strOf(q.s.Team) }
func (q *qaScorecardResolver) Channel() string       { return string(q.s.Channel) }
func (q *qaScorecardResolver) Queue() *string        { return strOf(q.s.Queue) }
func (q *qaScorecardResolver) ClosedAt() gql.Time    { return gql.Time{Time: q.s.ClosedAt} }

func (q *qaScorecardResolver) Criteria() []*qaCriterionResolver {
	out := make([]*qaCriterionResolver, len(q.s.Results))
	for i, c := range q.s.Results {
		out[i] = &qaCriterionResolver{c: c}
	}
	return out
}

// qaCriterionResolver is a QaCriterion.
type qaCriterionResolver struct{ c domain.QaCriterionResult }

func (c *qaCriterionResolver) ID() string       { return c.c.CriterionID }
func (c *qaCriterionResolver) Kind() string     { return string(c.c.Kind) }
func (c *qaCriterionResolver) Weight() int32    { return int32(c.c.Weight) }
func (c *qaCriterionResolver) Result() string   { return string(c.c.Result) }
func (c *qaCriterionResolver) Overridden() bool { return c.c.Overridden }

func (c *qaCriterionResolver) Evidence() ([]JSON, error) {
	out := make([]JSON, len(c.c.Evidence))
	for i, e := range c.c.Evidence {
		j, err := jsonOf(e)
		if err != nil {
			return nil, err
		}
		out[i] = j
	}
	return out, nil
}
