package projections

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
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

// suggestionPool is how many items each text's search ranks before the
// texts' scores are combined: enough that an item second to each text
// can still come first overall.
const suggestionPool = 50

// SuggestKnowledge ranks the live items for several texts at once: each
// text is searched on its own (BM25, as SearchKnowledge), and an item's
// scores are summed by the texts' weights, so an item answering both the
// customer's message and the agent's draft beats one answering either.
// Stop words are dropped; texts with no other words count for nothing,
// and none at all finds nothing.
func (db *ReadDB) SuggestKnowledge(ctx context.Context, q SuggestQuery) ([]KnowledgeHit, error) {
	var searches []weightedWords
	var allWords []string
	for _, t := range q.Texts {
		if utf8.RuneCountInString(t.Text) > maxKnowledgeQuery || !utf8.ValidString(t.Text) {
			return nil, domain.Errorf(domain.EINVALID, "suggestions for a text of at most %d characters", maxKnowledgeQuery)
		}
		words, err := textseg.Shared().SearchTokens(t.Text)
		if err != nil {
			return nil, fmt.Errorf("suggest knowledge: %w", err)
		}
		// Whole messages, not keywords: their filler words would match
		// every item.
		words = textseg.WithoutStopWords(words)
		if len(words) > 0 && t.Weight > 0 {
			searches = append(searches, weightedWords{words, t.Weight})
			allWords = append(allWords, words...)
		}
	}
	if len(searches) == 0 {
		return nil, nil
	}
	filters := KnowledgeQuery{Kind: q.Kind, Language: q.Language, Channel: q.Channel, Limit: suggestionPool}
	var ranked []KnowledgeHit
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		ranked, err = rankAcross(ctx, tx, searches, filters)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("suggest knowledge: %w", err)
	}
	ranked = ranked[:min(len(ranked), pageSize(q.Limit))]
	for i := range ranked {
		ranked[i].Snippet = snippetOf(ranked[i].Body, allWords, snippetRunes)
	}
	return ranked, nil
}

type weightedWords struct {
	words  []string
	weight float64
}

// rankAcross runs each search and orders the items found by their summed,
// weighted relevance (BM25 is negative, lower better: -score is the
// relevance), best first, ties by id.
func rankAcross(ctx context.Context, tx *sql.Tx, searches []weightedWords, filters KnowledgeQuery) ([]KnowledgeHit, error) {
	byID := map[string]*KnowledgeHit{}
	relevance := map[string]float64{}
	for _, s := range searches {
		query, args := knowledgeSearchSQL(s.words, filters)
		hits, err := scanKnowledgeHits(ctx, tx, query, args, nil)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			if _, ok := byID[h.ID]; !ok {
				byID[h.ID] = &h
			}
			relevance[h.ID] += s.weight * -h.Score
		}
	}
	out := make([]KnowledgeHit, 0, len(byID))
	for id, h := range byID {
		h.Score = -relevance[id]
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b KnowledgeHit) int {
		return cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
