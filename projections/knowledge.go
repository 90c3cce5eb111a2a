package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/textseg"
)

// Knowledge is the projection of the knowledge base: every saved version
// of every article and reply template, and the live version of each
// searchable one (published, not retired) with its words indexed for
// full-text search in Chinese and English (SearchKnowledge).
type Knowledge struct {
	sqlSchema
	seg *textseg.Segmenter
}

// NewKnowledge returns the knowledge projection.
func NewKnowledge() *Knowledge {
	return &Knowledge{sqlSchema: loadSchema("knowledge"), seg: textseg.Shared()}
}

// Name implements Projection.
func (*Knowledge) Name() string { return "knowledge" }

// Apply implements Projection.
func (p *Knowledge) Apply(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.KnowledgeDrafted:
		content, err := json.Marshal(d.Content)
		if err != nil {
			return fmt.Errorf("knowledge %s version %d: %w", d.ItemID, d.Version, err)
		}
		return tx.Exec(ctx, `INSERT OR REPLACE INTO knowledge_versions (id, version, kind, content) VALUES (?, ?, ?, ?)`,
			d.ItemID, d.Version, string(d.Kind), string(content))
	case domain.KnowledgePublished:
		return p.publish(ctx, tx, d, eventTime(d.At, e))
	case domain.KnowledgeRetired:
		return p.unlist(ctx, tx, d.ItemID)
	}
	return nil
}

// publish makes a version the item's searchable one.
func (p *Knowledge) publish(ctx context.Context, tx *Tx, d domain.KnowledgePublished, at int64) error {
	kind, c, found, err := loadKnowledgeVersion(ctx, tx, d.ItemID, d.Version)
	if err != nil || !found {
		return err // a publication of a version never seen names nothing to show
	}
	if err := p.unlist(ctx, tx, d.ItemID); err != nil {
		return err
	}
	tags, channels, err := knowledgeLists(c)
	if err != nil {
		return err
	}
	var doc int64
	row, err := tx.QueryRow(ctx, `INSERT INTO knowledge_items (id, kind, version, title, body, language, category, business_domain, tags, channels, published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING doc`,
		d.ItemID, kind, d.Version, c.Title, c.Body, c.Language, c.Category, c.BusinessDomain, tags, channels, at)
	if err != nil {
		return err
	}
	if err := row.Scan(&doc); err != nil {
		return fmt.Errorf("list knowledge %s: %w", d.ItemID, err)
	}
	title, body, words, err := p.words(c)
	if err != nil {
		return fmt.Errorf("index knowledge %s: %w", d.ItemID, err)
	}
	return tx.Exec(ctx, `INSERT INTO knowledge_fts (rowid, title, body, tags) VALUES (?, ?, ?, ?)`, doc, title, body, words)
}

// unlist takes an item out of search (its versions stay).
func (p *Knowledge) unlist(ctx context.Context, tx *Tx, id string) error {
	row, err := tx.QueryRow(ctx, `DELETE FROM knowledge_items WHERE id = ? RETURNING doc`, id)
	if err != nil {
		return err
	}
	var doc int64
	switch err := row.Scan(&doc); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("unlist knowledge %s: %w", id, err)
	}
	return tx.Exec(ctx, `DELETE FROM knowledge_fts WHERE rowid = ?`, doc)
}

// words segments a version's title, body and tags into the space-joined
// words knowledge_fts indexes.
func (p *Knowledge) words(c domain.KnowledgeContent) (title, body, tags string, err error) {
	join := func(text string) string {
		if err != nil {
			return ""
		}
		var toks []string
		toks, err = p.seg.SearchTokens(text)
		return strings.Join(toks, " ")
	}
	title, body, tags = join(c.Title), join(c.Body), join(strings.Join(c.Tags, " "))
	return title, body, tags, err
}

func loadKnowledgeVersion(ctx context.Context, tx *Tx, id string, version int) (string, domain.KnowledgeContent, bool, error) {
	var kind, raw string
	var c domain.KnowledgeContent
	row, err := tx.QueryRow(ctx, `SELECT kind, content FROM knowledge_versions WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return "", c, false, err
	}
	switch err := row.Scan(&kind, &raw); {
	case errors.Is(err, sql.ErrNoRows):
		return "", c, false, nil
	case err != nil:
		return "", c, false, fmt.Errorf("knowledge %s version %d: %w", id, version, err)
	}
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return "", c, false, fmt.Errorf("knowledge %s version %d: %w", id, version, err)
	}
	return kind, c, true, nil
}

// knowledgeLists encodes a version's tags and channels as JSON arrays.
func knowledgeLists(c domain.KnowledgeContent) (tags, channels string, err error) {
	t, err := json.Marshal(append([]string{}, c.Tags...))
	if err != nil {
		return "", "", err
	}
	ch, err := json.Marshal(append([]domain.Channel{}, c.Channels...))
	if err != nil {
		return "", "", err
	}
	return string(t), string(ch), nil
}
