package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Customer is a customer's 360 profile. Counts, last contact and preferred
// channel cover the customer and every customer merged into it.
type Customer struct {
	ID          string
	DisplayName string
	Tier        domain.Tier
	Tags        []string
	// MergedInto is the customer this one was merged into, "" if none.
	MergedInto string
	// MergedFrom lists the customers merged into this one (directly or
	// through another merge); their timeline, interactions and tickets
	// show on this profile.
	MergedFrom       []string
	Identities       []domain.Identity
	CreatedAt        time.Time
	LastContactAt    time.Time // zero when never contacted
	LastChannel      domain.Channel
	PreferredChannel domain.Channel // the channel of most interactions
	InteractionCount int
	LastCsat         int // 1..5, 0 when none was recorded
	LastCsatAt       time.Time
}

// CustomerPage is one page of customers, ordered by name then id.
type CustomerPage struct {
	Customers   []Customer
	EndCursor   string
	HasNextPage bool
}

// customerGroup returns id followed by every customer merged into it,
// directly or through a chain of merges.
func customerGroup(ctx context.Context, q querier, id string) ([]string, error) {
	group, err := queryStrings(ctx, q, `WITH RECURSIVE g(id) AS (
			SELECT ?
			UNION
			SELECT m.source_id FROM customer_merges m JOIN g ON m.target_id = g.id
		) SELECT id FROM g`, id)
	if err != nil {
		return nil, fmt.Errorf("merge group of %s: %w", id, err)
	}
	return group, nil
}

// Customer returns a customer's 360 profile, or a domain ENOTFOUND error.
func (db *ReadDB) Customer(ctx context.Context, id string) (Customer, error) {
	var c Customer
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = loadCustomer(ctx, tx, id)
		return err
	})
	return c, err
}

func loadCustomer(ctx context.Context, tx *sql.Tx, id string) (Customer, error) {
	c := Customer{ID: id}
	var created int64
	err := tx.QueryRowContext(ctx, `SELECT display_name, tier, merged_into, created_at
		FROM customers WHERE id = ?`, id).Scan(&c.DisplayName, &c.Tier, &c.MergedInto, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, domain.Errorf(domain.ENOTFOUND, "customer %s not found", id)
	}
	if err != nil {
		return c, fmt.Errorf("customer %s: %w", id, err)
	}
	c.CreatedAt = fromNanos(created)
	group, err := customerGroup(ctx, tx, id)
	if err != nil {
		return c, err
	}
	c.MergedFrom = group[1:]
	if err := loadCustomerDetails(ctx, tx, &c, group); err != nil {
		return c, fmt.Errorf("customer %s: %w", id, err)
	}
	return c, nil
}

func loadCustomerDetails(ctx context.Context, tx *sql.Tx, c *Customer, group []string) error {
	var err error
	if c.Tags, err = queryStrings(ctx, tx, `SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag`, c.ID); err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	if c.Identities, err = identitiesIn(ctx, tx, []string{c.ID}); err != nil {
		return err
	}
	if err := loadChannelStats(ctx, tx, c, group); err != nil {
		return err
	}
	if err := loadLastContact(ctx, tx, c, group); err != nil {
		return err
	}
	return loadLastCsat(ctx, tx, c, group)
}

// loadChannelStats counts the group's interactions and picks the channel
// of most of them (the most recently used one on a tie).
func loadChannelStats(ctx context.Context, tx *sql.Tx, c *Customer, group []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT channel, COUNT(*), MAX(started_at) FROM interactions
		WHERE customer_id IN (`+placeholders(len(group))+`) GROUP BY channel`, anys(group)...)
	if err != nil {
		return fmt.Errorf("channel stats: %w", err)
	}
	defer rows.Close()
	best, bestLast := 0, int64(0)
	for rows.Next() {
		var ch domain.Channel
		var n int
		var last int64
		if err := rows.Scan(&ch, &n, &last); err != nil {
			return fmt.Errorf("channel stats: %w", err)
		}
		c.InteractionCount += n
		if n > best || n == best && last > bestLast {
			c.PreferredChannel, best, bestLast = ch, n, last
		}
	}
	return rows.Err()
}

// loadLastContact finds the group's latest contact on a channel: the
// latest event of an interaction, or the latest message.
func loadLastContact(ctx context.Context, tx *sql.Tx, c *Customer, group []string) error {
	in := placeholders(len(group))
	var best int64
	for _, query := range []string{
		`SELECT max(started_at, answered_at, call_ended_at, closed_at, csat_at) AS last, channel FROM interactions
			WHERE customer_id IN (` + in + `) ORDER BY last DESC LIMIT 1`,
		`SELECT m.at, i.channel FROM interactions i JOIN messages m ON m.interaction_seq = i.seq
			WHERE i.customer_id IN (` + in + `) ORDER BY m.at DESC, m.position DESC LIMIT 1`,
	} {
		var at int64
		var ch domain.Channel
		err := tx.QueryRowContext(ctx, query, anys(group)...).Scan(&at, &ch)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("last contact: %w", err)
		}
		if at > best {
			best, c.LastChannel = at, ch
		}
	}
	c.LastContactAt = fromNanos(best)
	return nil
}

// loadLastCsat takes the latest CSAT of the group's interactions.
func loadLastCsat(ctx context.Context, tx *sql.Tx, c *Customer, group []string) error {
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT csat, csat_at FROM interactions
		WHERE customer_id IN (`+placeholders(len(group))+`) AND csat_pos > 0
		ORDER BY csat_at DESC, csat_pos DESC LIMIT 1`, anys(group)...).Scan(&c.LastCsat, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("csat: %w", err)
	}
	c.LastCsatAt = fromNanos(at)
	return nil
}

// Customers returns a page of customers whose display name starts with
// search (case-insensitive), who hold an identity equal to search (as
// typed, or normalised as a phone number or email address), or whose id is
// search; every customer when search is empty. Customers are ordered by
// name, then id.
func (db *ReadDB) Customers(ctx context.Context, search string, first int, after string) (CustomerPage, error) {
	var page CustomerPage
	cur, hasCursor, err := decodeCursor(after, "customers")
	if err != nil {
		return page, err
	}
	n := pageSize(first)
	query, args := customersQuery(search, db.callingCode)
	if hasCursor {
		query += ` AND (name_key, id) > (?, ?)`
		args = append(args, cur.Str, cur.ID)
	}
	query += ` ORDER BY name_key, id LIMIT ?`
	args = append(args, n+1)
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		ids, err := queryStrings(ctx, tx, query, args...)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if len(ids) > n {
			ids, page.HasNextPage = ids[:n], true
		}
		for _, id := range ids {
			c, err := loadCustomer(ctx, tx, id)
			if err != nil {
				return err
			}
			page.Customers = append(page.Customers, c)
		}
		return nil
	})
	if err != nil {
		return CustomerPage{}, fmt.Errorf("customers %q: %w", search, err)
	}
	if k := len(page.Customers); k > 0 {
		last := page.Customers[k-1]
		page.EndCursor = cursor{Kind: "customers", Str: nameKey(last.DisplayName), ID: last.ID}.encode()
	}
	return page, nil
}

// maxRune closes a prefix range: every string starting with p sorts
// between p and p+maxRune.
const maxRune = "\U0010FFFF"

func customersQuery(search, callingCode string) (string, []any) {
	const base = `SELECT id FROM customers WHERE `
	if search == "" {
		return base + `1`, nil
	}
	key := nameKey(search)
	values := identitySearchValues(search, callingCode)
	query := base + `(name_key >= ? AND name_key < ? OR id = ? OR id IN (SELECT customer_id FROM identities WHERE value IN (` + placeholders(len(values)) + `)))`
	args := append([]any{key, key + maxRune, search}, anys(values)...)
	return query, args
}

// identitySearchValues is search as typed and in every normalised form it
// has, so "138-0013-8000" finds "+8613800138000".
func identitySearchValues(search, callingCode string) []string {
	values := []string{search}
	for _, kind := range []domain.IdentityKind{domain.IdentityPhone, domain.IdentityEmail} {
		if id, err := domain.NormalizeIdentity(domain.Identity{Kind: kind, Value: search}, callingCode); err == nil && id.Value != search {
			values = append(values, id.Value)
		}
	}
	return values
}
