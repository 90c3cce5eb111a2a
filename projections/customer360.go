package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/interactionledger/ledger/domain"
)

// Customer360 is the projection behind the customer 360 profile: customers
// with their tier, tags and merges, their business context (the facts
// CRMs and order systems recorded), and the timeline entries of ticket
// events. The rest of the profile (interactions, messages and what is
// computed from them) is read from the Interactions projection's tables:
// see Customer and Timeline.
type Customer360 struct {
	sqlSchema
	// tickets caches customer_tickets: ticket events after the opening
	// name only the ticket.
	tickets *boundedMap[string, string]
	// Rows appended during a batch, written by Flush.
	timeline, ticketRows *rowBuffer
}

// ownerCacheSize bounds Customer360's cache of ticket owners.
const ownerCacheSize = 50_000

// NewCustomer360 returns the customer 360 projection.
func NewCustomer360() *Customer360 {
	return &Customer360{
		sqlSchema: loadSchema("customer360"),
		tickets:   newBoundedMap[string, string](ownerCacheSize),
		timeline: newRowBuffer("timeline", []string{"position", "customer_id", "at", "channel", "kind", "interaction_id",
			"ticket_id", "summary"}, ""),
		ticketRows: sortedRowBuffer("customer_tickets", []string{"ticket_id", "customer_id"}, " ON CONFLICT DO NOTHING"),
	}
}

// Name implements Projection.
func (*Customer360) Name() string { return "customer360" }

// Reset implements Resetter.
func (p *Customer360) Reset() {
	p.tickets.reset()
	p.timeline.reset()
	p.ticketRows.reset()
}

// Flush implements Flusher.
func (p *Customer360) Flush(ctx context.Context, tx *Tx) error {
	if err := p.ticketRows.flush(ctx, tx); err != nil {
		return err
	}
	return p.timeline.flush(ctx, tx)
}

const (
	sqlCustomerInsert = `INSERT INTO customers (id, display_name, name_key, tier, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`
	sqlCustomerRename     = `UPDATE customers SET display_name = ?, name_key = ? WHERE id = ?`
	sqlCustomerTier       = `UPDATE customers SET tier = ? WHERE id = ?`
	sqlCustomerTag        = `INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`
	sqlCustomerUntag      = `DELETE FROM customer_tags WHERE customer_id = ? AND tag = ?`
	sqlCustomerMergedInto = `UPDATE customers SET merged_into = ? WHERE id = ?`
	sqlCustomerAbsorb     = `INSERT INTO customer_merges (source_id, target_id, merged_at) VALUES (?, ?, ?)
		ON CONFLICT (source_id) DO UPDATE SET target_id = excluded.target_id, merged_at = excluded.merged_at`
	sqlCustomerRelease = `DELETE FROM customer_merges WHERE source_id = ? AND target_id = ?`
)

// Apply implements Projection.
func (p *Customer360) Apply(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.CustomerRegistered:
		return tx.Exec(ctx, sqlCustomerInsert, d.CustomerID, d.DisplayName, nameKey(d.DisplayName), d.Tier, eventTime(d.At, e))
	case domain.CustomerRenamed:
		return tx.Exec(ctx, sqlCustomerRename, d.DisplayName, nameKey(d.DisplayName), d.CustomerID)
	case domain.CustomerTierChanged:
		return tx.Exec(ctx, sqlCustomerTier, d.To, d.CustomerID)
	case domain.CustomerTagged:
		return tx.Exec(ctx, sqlCustomerTag, d.CustomerID, d.Tag)
	case domain.CustomerUntagged:
		return tx.Exec(ctx, sqlCustomerUntag, d.CustomerID, d.Tag)
	case domain.CustomerMerged:
		return tx.Exec(ctx, sqlCustomerMergedInto, d.TargetID, d.CustomerID)
	case domain.CustomerMergeUndone:
		return tx.Exec(ctx, sqlCustomerMergedInto, "", d.CustomerID)
	case domain.CustomerAbsorbed:
		return tx.Exec(ctx, sqlCustomerAbsorb, d.SourceID, d.CustomerID, eventTime(d.At, e))
	case domain.CustomerReleased:
		return tx.Exec(ctx, sqlCustomerRelease, d.SourceID, d.CustomerID)
	case domain.CustomerErased:
		return p.erase(ctx, tx, d)
	case domain.BusinessFactRecorded:
		return p.applyFact(ctx, tx, d, e)
	}
	return p.applyTicketTimeline(ctx, tx, e)
}

// ticketOwner returns the customer of a ticket; ok is false for a ticket
// whose opening was never seen.
func (p *Customer360) ticketOwner(ctx context.Context, tx *Tx, id string) (string, bool, error) {
	if c, ok := p.tickets.get(id); ok {
		return c, true, nil
	}
	if err := p.ticketRows.flush(ctx, tx); err != nil { // the row may still be buffered
		return "", false, err
	}
	row, err := tx.QueryRow(ctx, `SELECT customer_id FROM customer_tickets WHERE ticket_id = ?`, id)
	if err != nil {
		return "", false, err
	}
	var c string
	switch err := row.Scan(&c); {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("owner of ticket %s: %w", id, err)
	}
	p.tickets.put(id, c)
	return c, true, nil
}

// nameKey is the form names are searched by: lower case, trimmed.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
