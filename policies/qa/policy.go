// Package qa is the QA scoring policy: when an interaction closes, it
// rebuilds the conversation from the ledger, segments the text (Chinese
// with github.com/go-ego/gse, so words are found without spaces), scores
// it with every scorecard that applies (the rules are domain's), and
// appends a QaScored event through the command layer. The scorecards are
// parsed at the edge (config.LoadScorecards, config.DefaultScorecards).
package qa

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/filecheckpoint"
)

// CheckpointFile is where the policy remembers, in the data directory, how
// far it has read the ledger.
const CheckpointFile = "qa-policy.checkpoint"

// Policy scores every interaction that closes. It is at-least-once by
// its checkpoint and exactly-once in effect: each score is appended with
// an idempotency key derived from the interaction and the scorecard, and
// the domain refuses to score an interaction twice with one scorecard, so
// reading an InteractionClosed again after a restart appends nothing.
type Policy struct {
	store      eventstore.Store
	handler    *commands.Handler
	scorer     *Scorer
	checkpoint string // file; "" keeps it in memory only
	log        *slog.Logger
	position   atomic.Uint64
	scored     atomic.Int64
}

// NewPolicy returns a policy that reads store and appends through handler.
// checkpoint is the file it keeps its position in ("" for none: start
// from the beginning of the ledger each time).
func NewPolicy(store eventstore.Store, handler *commands.Handler, cards []domain.Scorecard, checkpoint string, log *slog.Logger) *Policy {
	if log == nil {
		log = slog.Default()
	}
	return &Policy{store: store, handler: handler, scorer: NewScorer(cards), checkpoint: checkpoint, log: log.With("component", "qa-policy")}
}

// Position returns the $all position the policy has handled.
func (p *Policy) Position() uint64 { return p.position.Load() }

// Scored returns how many QaScored events this policy appended.
func (p *Policy) Scored() int64 { return p.scored.Load() }

// Run scores closed interactions until ctx ends (nil) or scoring fails
// (the error; the next Run resumes at the checkpoint). With stopAt > 0 it
// returns once it has handled that position.
func (p *Policy) Run(ctx context.Context, stopAt uint64) error {
	from, err := p.readCheckpoint()
	if err != nil {
		return err
	}
	p.position.Store(from)
	if stopAt > 0 && from >= stopAt {
		return nil
	}
	sub := p.store.SubscribeAll(ctx, from)
	defer sub.Close()
	for {
		events, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("qa policy: %w", err)
		}
		for _, e := range events {
			if stopAt > 0 && e.Position > stopAt {
				return p.writeCheckpoint(p.position.Load())
			}
			if err := p.handle(ctx, e); err != nil {
				return err
			}
			p.position.Store(e.Position)
		}
		if err := p.writeCheckpoint(p.position.Load()); err != nil {
			return err
		}
		if stopAt > 0 && p.position.Load() >= stopAt {
			return nil
		}
	}
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
		if err != nil {
			return err
		}
		team = agent.Team
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

func (p *Policy) readCheckpoint() (uint64, error) {
	if p.checkpoint == "" {
		return p.position.Load(), nil
	}
	pos, _, err := filecheckpoint.Read(p.checkpoint)
	if err != nil {
		return 0, fmt.Errorf("qa policy: %w", err)
	}
	return pos, nil
}

// writeCheckpoint replaces the checkpoint file.
func (p *Policy) writeCheckpoint(pos uint64) error {
	if p.checkpoint == "" {
		return nil
	}
	if err := filecheckpoint.Write(p.checkpoint, pos); err != nil {
		return fmt.Errorf("qa policy: %w", err)
	}
	return nil
}

// CheckpointPath is the policy's checkpoint file in a data directory.
func CheckpointPath(dataDir string) string { return filepath.Join(dataDir, CheckpointFile) }

// RunForever runs the policy, retrying with a pause after a failure, until
// ctx ends.
func (p *Policy) RunForever(ctx context.Context) {
	for ctx.Err() == nil {
		if err := p.Run(ctx, 0); err != nil {
			p.log.Error("qa policy failed; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}
}
