package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/textseg"
)

// KnowledgeQuery is a search of the knowledge base's live items.
type KnowledgeQuery struct {
	Text string // words in Chinese or English; the best matches first
	// Filters; empty matches any.
	Kind     domain.KnowledgeKind
	Language string
	Category string
	Channel  domain.Channel // templates worded for it, or for every channel
	Limit    int            // at most MaxPageSize; 0: DefaultPageSize
}

// KnowledgeHit is a live item found by a search.
type KnowledgeHit struct {
	ID             string
	Kind           domain.KnowledgeKind
	Version        int
	Title          string
	Body           string
	Language       string
	Category       string
	BusinessDomain string
	Tags           []string
	Channels       []domain.Channel
	// Snippet is the passage of the body around the first word found,
	// the words found marked.
	Snippet []SnippetPart
	// Score ranks the hit (BM25: lower is better).
	Score float64
}

// maxKnowledgeQuery bounds a search's text.
const maxKnowledgeQuery = 1000 // runes

// SearchKnowledge finds the live items whose title, body or tags hold
// the words of q.Text (any of them; items holding more of them, and rarer
// ones, rank first), filtered by q. A text with no words finds nothing.
func (db *ReadDB) SearchKnowledge(ctx context.Context, q KnowledgeQuery) ([]KnowledgeHit, error) {
	if utf8.RuneCountInString(q.Text) > maxKnowledgeQuery || !utf8.ValidString(q.Text) {
		return nil, domain.Errorf(domain.EINVALID, "a search of at most %d characters of text", maxKnowledgeQuery)
	}
	words, err := textseg.Shared().SearchTokens(q.Text)
	if err != nil {
		return nil, fmt.Errorf("search knowledge: %w", err)
	}
	if len(words) == 0 {
		return nil, nil
	}
	query, args := knowledgeSearchSQL(words, q)
	var hits []KnowledgeHit
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		hits, err = scanKnowledgeHits(ctx, tx, query, args, words)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search knowledge: %w", err)
	}
	return hits, nil
}

// knowledgeSearchSQL is the search's statement: an FTS5 query of the
// words, each quoted (so none is read as an operator), any of them.
func knowledgeSearchSQL(words []string, q KnowledgeQuery) (string, []any) {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	query := `SELECT k.id, k.kind, k.version, k.title, k.body, k.language, k.category, k.business_domain, k.tags, k.channels,
			bm25(knowledge_fts, 5.0, 1.0, 3.0) AS score
		FROM knowledge_fts JOIN knowledge_items k ON k.doc = knowledge_fts.rowid
		WHERE knowledge_fts MATCH ?`
	args := []any{strings.Join(quoted, " OR ")}
	for _, f := range []struct{ column, value string }{
		{"k.kind", string(q.Kind)}, {"k.language", q.Language}, {"k.category", q.Category},
	} {
		if f.value != "" {
			query += " AND " + f.column + " = ?"
			args = append(args, f.value)
		}
	}
	if q.Channel != "" {
		query += ` AND (k.channels = '[]' OR EXISTS (SELECT 1 FROM json_each(k.channels) WHERE value = ?))`
		args = append(args, string(q.Channel))
	}
	return query + " ORDER BY score, k.id LIMIT ?", append(args, pageSize(q.Limit))
}

func scanKnowledgeHits(ctx context.Context, tx *sql.Tx, query string, args []any, words []string) ([]KnowledgeHit, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []KnowledgeHit
	for rows.Next() {
		var h KnowledgeHit
		var tags, channels string
		if err := rows.Scan(&h.ID, &h.Kind, &h.Version, &h.Title, &h.Body, &h.Language, &h.Category, &h.BusinessDomain, &tags, &channels, &h.Score); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(tags), &h.Tags); err != nil {
			return nil, fmt.Errorf("tags of %s: %w", h.ID, err)
		}
		if err := json.Unmarshal([]byte(channels), &h.Channels); err != nil {
			return nil, fmt.Errorf("channels of %s: %w", h.ID, err)
		}
		if words != nil {
			h.Snippet = snippetOf(h.Body, words, snippetRunes)
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}
