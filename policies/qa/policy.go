// Package qa is the QA scoring policy: when an interaction closes, it
// rebuilds the conversation from the ledger, segments the text (Chinese
// with github.com/go-ego/gse, so words are found without spaces), scores
// it with every scorecard that applies (the rules are domain's), and
// appends a QaScored event through the command layer. The scorecards are
// parsed at the edge (config.LoadScorecards, config.DefaultScorecards).
package qa

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// CheckpointFile is where the policy remembers, in the data directory, how
// far it has read the ledger.
const CheckpointFile = "qa-policy.checkpoint"

// Policy scores every interaction that closes. It is at-least-once by
// its checkpoint and exactly-once in effect: each score is appended with
// an idempotency key derived from the interaction and the scorecard, and
// the domain refuses to score an interaction twice with one scorecard, so
// reading an InteractionClosed again after a restart appends nothing. It
// follows the ledger on a follower (eventstore/follow), as a singleton
// when given a lease.
type Policy struct {
	store    eventstore.Store
	handler  *commands.Handler
	scorer   *Scorer
	log      *slog.Logger
	follower *follow.Follower[eventstore.RecordedEvent]
	scored   atomic.Int64
}

// NewPolicy returns a policy that reads store and appends through handler.
// checkpoint is the file it keeps its position in ("" for memory: it then
// starts from the beginning of the ledger on every start).
func NewPolicy(store eventstore.Store, handler *commands.Handler, cards []domain.Scorecard, checkpoint string, log *slog.Logger, opts ...follow.Options) *Policy {
	if log == nil {
		log = slog.Default()
	}
	p := &Policy{store: store, handler: handler, scorer: NewScorer(cards), log: log.With("component", "qa-policy")}
	var o follow.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	p.follower = follow.NewEventPolicy("qa", store, p.handle, checkpoint, false, o, p.log)
	return p
}

// Position returns the $all position the policy has handled.
func (p *Policy) Position() uint64 { return p.follower.Position() }

// Scored returns how many QaScored events this policy appended.
func (p *Policy) Scored() int64 { return p.scored.Load() }

// Run scores closed interactions until ctx ends (nil) or an event halts
// it; failures are retried from the checkpoint with backoff.
func (p *Policy) Run(ctx context.Context) error { return p.follower.Run(ctx) }

// RunUntil scores the closed interactions up to position stopAt, then
// returns; a failure ends it (the next run resumes at the checkpoint).
func (p *Policy) RunUntil(ctx context.Context, stopAt uint64) error {
	return p.follower.RunUntil(ctx, stopAt)
}

func (p *Policy) handle(ctx context.Context, e eventstore.RecordedEvent) error {
	if e.Type != "InteractionClosed" {
		return nil
	}
	_, id := domain.StreamCategory(e.Stream)
	if err := p.ScoreInteraction(ctx, id, e.ID.String()); err != nil {
		return fmt.Errorf("qa policy: interaction %s: %w", id, err)
	}
	return nil
}

// ScoreInteraction scores one closed interaction with every applicable
// scorecard; causation names what triggered it.
func (p *Policy) ScoreInteraction(ctx context.Context, interactionID, causation string) error {
	events, err := readStream(ctx, p.store, domain.InteractionStream(interactionID))
	if err != nil {
		return err
	}
	t, closed, err := Transcript(events)
	if err != nil || !closed {
		return err
	}
	team := ""
	if t.AgentID != "" {
		agent, err := p.handler.LoadAgent(ctx, t.AgentID)
		var de *domain.Error
		switch {
		case errors.As(err, &de) && de.Code == domain.ENOTFOUND:
			// Someone not registered as an agent (an admin, a
			// supervisor) handled it: scored, without a team. Halting
			// here would stop QA for everyone.
		case err != nil:
			return err
		default:
			team = agent.Team
		}
	}
	verdicts, err := p.scorer.Score(t, team)
	if err != nil {
		return err
	}
	for _, v := range verdicts {
		meta := commands.Meta{Actor: "system:qa", CausationID: causation, IdempotencyKey: "qa|" + interactionID + "|" + v.ScorecardID}
		res, err := p.handler.RecordQaScore(ctx, interactionID, domain.RecordQaScore{Scored: v}, meta)
		if err != nil {
			return err
		}
		if len(res.Events) > 0 {
			p.scored.Add(1)
		}
	}
	return nil
}

// CheckpointPath is the policy's checkpoint file in a data directory.
func CheckpointPath(dataDir string) string { return filepath.Join(dataDir, CheckpointFile) }
