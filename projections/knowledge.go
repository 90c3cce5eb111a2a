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
		if err := tx.Exec(ctx, `INSERT INTO knowledge_versions (id, version, kind, content) VALUES (?, ?, ?, ?)
			ON CONFLICT (id, version) DO UPDATE SET kind = excluded.kind, content = excluded.content`,
			d.ItemID, d.Version, string(d.Kind), string(content)); err != nil {
			return err
		}
		return p.catalogDrafted(ctx, tx, d, eventTime(d.At, e))
	case domain.KnowledgePublished:
		if err := p.publish(ctx, tx, d, eventTime(d.At, e)); err != nil {
			return err
		}
		return p.catalogPublished(ctx, tx, d, eventTime(d.At, e))
	case domain.KnowledgeRetired:
		if err := p.unlist(ctx, tx, d.ItemID); err != nil {
			return err
		}
		return tx.Exec(ctx, `UPDATE knowledge_catalog SET status = ?, live_version = 0, retired = 1, updated_at = ? WHERE id = ?`,
			string(domain.KnowledgeStatusRetired), eventTime(d.At, e), d.ItemID)
	}
	return nil
}

// catalogDrafted lists an item's newest version (a new item is a draft).
func (p *Knowledge) catalogDrafted(ctx context.Context, tx *Tx, d domain.KnowledgeDrafted, at int64) error {
	return tx.Exec(ctx, `INSERT INTO knowledge_catalog (id, kind, status, live_version, latest_version, title, language, category, updated_at, retired)
		VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 0)
		ON CONFLICT (id) DO UPDATE SET latest_version = max(latest_version, excluded.latest_version),
			title = CASE WHEN excluded.latest_version >= latest_version THEN excluded.title ELSE title END,
			language = CASE WHEN excluded.latest_version >= latest_version THEN excluded.language ELSE language END,
			category = CASE WHEN excluded.latest_version >= latest_version THEN excluded.category ELSE category END,
			updated_at = excluded.updated_at`,
		d.ItemID, string(d.Kind), string(domain.KnowledgeStatusDraft), d.Version, d.Content.Title, d.Content.Language, d.Content.Category, at)
}

// catalogPublished marks the published version live in the list: the
// item is REVISED once another version was published before
// (domain.KnowledgeItem.Status).
func (p *Knowledge) catalogPublished(ctx context.Context, tx *Tx, d domain.KnowledgePublished, at int64) error {
	if err := tx.Exec(ctx, `UPDATE knowledge_versions SET published = 1 WHERE id = ? AND version = ?`, d.ItemID, d.Version); err != nil {
		return err
	}
	return tx.Exec(ctx, `UPDATE knowledge_catalog SET live_version = ?, updated_at = ?,
			status = CASE WHEN (SELECT count(*) FROM knowledge_versions WHERE id = ? AND published = 1 AND version <> ?) > 0 THEN ? ELSE ? END
		WHERE id = ? AND retired = 0`,
		d.Version, at, d.ItemID, d.Version, string(domain.KnowledgeStatusRevised), string(domain.KnowledgeStatusPublished), d.ItemID)
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
