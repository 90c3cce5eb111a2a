package projections

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/textseg"
)

// SuggestionText is a text suggestions are chosen for (a customer's
// message, the agent's draft) and how much its words count.
type SuggestionText struct {
	Text   string
	Weight float64
}

// SuggestQuery asks which live items best answer a conversation.
type SuggestQuery struct {
	Texts []SuggestionText
	// Filters, as in KnowledgeQuery; empty matches any.
	Kind     domain.KnowledgeKind
	Language string
	Channel  domain.Channel
	Limit    int
}

// Weights become repetitions of a word in one FTS5 query: bm25() sums
// over the query's phrases, so a word written twice counts twice, and one
// query ranks for every text at once. weightUnit is the weight of one
// repetition; maxQueryWords bounds the query (the heaviest words kept).
const (
	weightUnit    = 1.0
	maxQueryWords = 32
)

// SuggestKnowledge ranks the live items for several texts at once: an
// item's relevance is the sum, over the texts, of the text's weight times
// the item's BM25 score for the text's words, so an item answering both
// the customer's message and the agent's draft beats one answering
// either. Stop words are dropped; texts with no other words count for
// nothing, and none at all finds nothing.
func (db *ReadDB) SuggestKnowledge(ctx context.Context, q SuggestQuery) ([]KnowledgeHit, error) {
	weights := map[string]float64{}
	for _, t := range q.Texts {
		if utf8.RuneCountInString(t.Text) > maxKnowledgeQuery || !utf8.ValidString(t.Text) {
			return nil, domain.Errorf(domain.EINVALID, "suggestions for a text of at most %d characters", maxKnowledgeQuery)
		}
		if t.Weight <= 0 {
			continue
		}
		words, err := textseg.Shared().SearchTokens(t.Text)
		if err != nil {
			return nil, fmt.Errorf("suggest knowledge: %w", err)
		}
		// Whole messages, not keywords: their filler words would match
		// every item.
		for _, w := range textseg.WithoutStopWords(words) {
			weights[w] += t.Weight
		}
	}
	words := repeatedByWeight(weights)
	if len(words) == 0 {
		return nil, nil
	}
	query, args := knowledgeSearchSQL(words, KnowledgeQuery{Kind: q.Kind, Language: q.Language, Channel: q.Channel, Limit: q.Limit})
	var hits []KnowledgeHit
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		hits, err = scanKnowledgeHits(ctx, tx, query, args, slices.Collect(maps.Keys(weights)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("suggest knowledge: %w", err)
	}
	return hits, nil
}

// repeatedByWeight writes each word as many times as its weight holds
// weightUnit (at least once), the heaviest first, at most maxQueryWords
// in all.
func repeatedByWeight(weights map[string]float64) []string {
	byWeight := slices.SortedFunc(maps.Keys(weights), func(a, b string) int {
		return cmp.Or(cmp.Compare(weights[b], weights[a]), cmp.Compare(a, b))
	})
	var out []string
	for _, w := range byWeight {
		n := max(1, int(math.Round(weights[w]/weightUnit)))
		for range n {
			if len(out) == maxQueryWords {
				return out
			}
			out = append(out, w)
		}
	}
	return out
}
