package qa

import (
	"context"
	"fmt"
	"strings"

	"github.com/interactionledger/ledger/internal/textseg"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// Scorer applies scorecards to conversations.
type Scorer struct {
	cards []domain.Scorecard
	lex   domain.SentimentLexicon
	seg   *textseg.Segmenter
}

// NewScorer returns a scorer with cards, the default lexicon and the
// shared segmenter.
func NewScorer(cards []domain.Scorecard) *Scorer {
	return &Scorer{cards: cards, lex: domain.DefaultSentimentLexicon(), seg: textseg.Shared()}
}

// Segment fills in each message's tokens.
func (s *Scorer) Segment(t *domain.QaTranscript) error {
	for i := range t.Messages {
		toks, err := s.seg.Tokens(t.Messages[i].Text)
		if err != nil {
			return err
		}
		t.Messages[i].Tokens = toks
	}
	return nil
}

// Score segments the transcript and returns one verdict per applicable
// scorecard (AgentID, Team etc. as in t; the handler stamps the time).
func (s *Scorer) Score(t domain.QaTranscript, team string) ([]domain.QaScored, error) {
	if err := s.Segment(&t); err != nil {
		return nil, err
	}
	var out []domain.QaScored
	for _, card := range s.cards {
		if !card.Applies(t.Channel, t.Queue) {
			continue
		}
		results := domain.EvaluateScorecard(card, t, s.lex)
		out = append(out, domain.QaScored{
			InteractionID: t.InteractionID, ScorecardID: card.ID, AgentID: t.AgentID, Team: team,
			Channel: t.Channel, Queue: t.Queue, ClosedAt: t.ClosedAt, Score: domain.QaScore(results), Results: results,
		})
	}
	return out, nil
}

// Transcript folds an interaction's events into what the rules look at.
// It reports false when the interaction did not close (abandoned or still
// open): only closed interactions are scored.
func Transcript(events []eventstore.RecordedEvent) (domain.QaTranscript, bool, error) {
	var t domain.QaTranscript
	closed := false
	for _, r := range events {
		e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
		if err != nil {
			return t, false, fmt.Errorf("transcript: %w", err)
		}
		switch e := e.(type) {
		case domain.InteractionStarted:
			t.InteractionID, t.Channel, t.StartedAt, t.ArrivedAt = e.InteractionID, e.Channel, e.At, e.At
		case domain.InteractionQueued:
			if t.Queue == "" {
				t.ArrivedAt = e.At
			}
			t.Queue = e.Queue
		case domain.InteractionAssigned:
			t.AgentID = e.AgentID
		case domain.InteractionTransferred:
			if e.ToAgentID != "" {
				t.AgentID = e.ToAgentID
			} else {
				t.Queue = e.ToQueue
			}
		case domain.CallAnswered:
			if t.AnsweredAt.IsZero() {
				t.AnsweredAt = e.At
			}
		case domain.MessageReceived:
			if strings.TrimSpace(e.Text) != "" {
				t.Messages = append(t.Messages, domain.QaMessage{ID: e.MessageID, At: e.At, Text: e.Text})
			}
		case domain.MessageSent:
			t.Messages = append(t.Messages, domain.QaMessage{ID: e.MessageID, FromAgent: true, At: e.At, Text: e.Text})
		case domain.ReplyTemplateUsed:
			t.TemplateUses = append(t.TemplateUses, domain.QaTemplateUse{MessageID: e.MessageID, TemplateID: e.TemplateID, Version: e.Version, Category: e.Category})
		case domain.InteractionClosed:
			closed, t.ClosedAt, t.Disposition = true, e.At, e.Disposition
			if e.AgentID != "" {
				t.AgentID = e.AgentID
			}
		}
	}
	return t, closed, nil
}

// readStream reads a whole stream.
func readStream(ctx context.Context, store eventstore.Store, stream string) ([]eventstore.RecordedEvent, error) {
	var out []eventstore.RecordedEvent
	for from := int64(0); ; {
		page, err := store.ReadStream(ctx, stream, from, 512)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, err)
		}
		out = append(out, page...)
		if len(page) < 512 {
			return out, nil
		}
		from = page[len(page)-1].Version + 1
	}
}
