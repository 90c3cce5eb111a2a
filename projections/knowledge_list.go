package projections

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// KnowledgeListFilter narrows the authors' list of knowledge items; empty
// fields match any.
type KnowledgeListFilter struct {
	Kind   domain.KnowledgeKind
	Status domain.KnowledgeStatus
	Text   string // a part of the newest version's title
}

// KnowledgeListItem is an item of the authors' list: drafts and retired
// items too.
type KnowledgeListItem struct {
	ID            string
	Kind          domain.KnowledgeKind
	Status        domain.KnowledgeStatus
	LiveVersion   int // 0: none
	LatestVersion int
	Title         string // the newest version's
	Language      string
	Category      string
	UpdatedAt     time.Time
	Retired       bool
}

// KnowledgePage is a page of the authors' list.
type KnowledgePage struct {
	Items       []KnowledgeListItem
	EndCursor   string
	HasNextPage bool
}

// KnowledgeItems lists every knowledge item matching f, the most recently
// changed first, a page of first after the cursor after.
func (db *ReadDB) KnowledgeItems(ctx context.Context, f KnowledgeListFilter, first int, after string) (KnowledgePage, error) {
	var page KnowledgePage
	if f.Kind != "" && f.Kind != domain.KnowledgeArticle && f.Kind != domain.KnowledgeTemplate {
		return page, domain.Errorf(domain.EINVALID, "unknown knowledge kind %q", f.Kind)
	}
	switch f.Status {
	case "", domain.KnowledgeStatusDraft, domain.KnowledgeStatusPublished, domain.KnowledgeStatusRevised, domain.KnowledgeStatusRetired:
	default:
		return page, domain.Errorf(domain.EINVALID, "unknown knowledge status %q", f.Status)
	}
	const kind = "knowledge:updated:DESC"
	cur, hasCursor, err := decodeCursor(after, kind)
	if err != nil {
		return page, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
		where, args = append(where, `title LIKE ? ESCAPE '\'`), append(args, "%"+escaped+"%")
	}
	if hasCursor {
		where, args = append(where, "(updated_at, id) < (?, ?)"), append(args, cur.Num, cur.ID)
	}
	n := pageSize(first)
	query := `SELECT id, kind, status, live_version, latest_version, title, language, category, updated_at, retired
		FROM knowledge_catalog WHERE ` + strings.Join(where, " AND ") + ` ORDER BY updated_at DESC, id DESC LIMIT ?`
	var keys []int64
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, append(args, n+1)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it KnowledgeListItem
			var kind, status string
			var at int64
			if err := rows.Scan(&it.ID, &kind, &status, &it.LiveVersion, &it.LatestVersion, &it.Title, &it.Language, &it.Category, &at, &it.Retired); err != nil {
				return err
			}
			it.Kind, it.Status, it.UpdatedAt = domain.KnowledgeKind(kind), domain.KnowledgeStatus(status), time.Unix(0, at).UTC()
			page.Items, keys = append(page.Items, it), append(keys, at)
		}
		return rows.Err()
	})
	if err != nil {
		return KnowledgePage{}, fmt.Errorf("knowledge items: %w", err)
	}
	if len(page.Items) > n {
		page.Items, page.HasNextPage = page.Items[:n], true
	}
	if k := len(page.Items); k > 0 {
		page.EndCursor = cursor{Kind: kind, Num: keys[k-1], ID: page.Items[k-1].ID}.encode()
	}
	return page, nil
}
