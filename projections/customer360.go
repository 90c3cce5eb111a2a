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
// with their tier, tags and merges, which customer each interaction and
// ticket belongs to, and the cross-channel timeline.
type Customer360 struct {
	sqlSchema
	// Caches of customer_interactions and customer_tickets: nearly every
	// event names only its interaction, and looking the owner up in
	// memory keeps the hot path to a single INSERT.
	interactions *boundedMap[string, interactionOwner]
	tickets      *boundedMap[string, string]
	// Rows appended during a batch, written by Flush.
	timeline, interactionRows, ticketRows *rowBuffer
}

type interactionOwner struct {
	customer string
	channel  domain.Channel
}

// ownerCacheSize bounds each of Customer360's caches.
const ownerCacheSize = 200_000

// NewCustomer360 returns the customer 360 projection.
func NewCustomer360() *Customer360 {
	return &Customer360{
		sqlSchema:    loadSchema("customer360"),
		interactions: newBoundedMap[string, interactionOwner](ownerCacheSize),
		tickets:      newBoundedMap[string, string](ownerCacheSize),
		timeline: newRowBuffer("timeline", []string{"position", "customer_id", "at", "channel", "kind", "interaction_id",
			"ticket_id", "summary"}, ""),
		interactionRows: newRowBuffer("customer_interactions", []string{"interaction_id", "customer_id", "channel", "started_at"},
			" ON CONFLICT DO NOTHING"),
		ticketRows: newRowBuffer("customer_tickets", []string{"ticket_id", "customer_id"}, " ON CONFLICT DO NOTHING"),
	}
}

// Name implements Projection.
func (*Customer360) Name() string { return "customer360" }

// Reset implements Resetter.
func (p *Customer360) Reset() {
	p.interactions.reset()
	p.tickets.reset()
	for _, b := range p.buffers() {
		b.reset()
	}
}

func (p *Customer360) buffers() []*rowBuffer {
	return []*rowBuffer{p.interactionRows, p.ticketRows, p.timeline}
}

// Flush implements Flusher.
func (p *Customer360) Flush(ctx context.Context, tx *Tx) error {
	for _, b := range p.buffers() {
		if err := b.flush(ctx, tx); err != nil {
			return err
		}
	}
	return nil
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
	sqlCustomerCsat    = `UPDATE customers SET last_csat = ?, last_csat_at = ? WHERE id = ? AND last_csat_at <= ?`
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
	case domain.CsatRecorded:
		return p.applyCsat(ctx, tx, e, d)
	}
	return p.applyTimeline(ctx, tx, e)
}

func (p *Customer360) applyCsat(ctx context.Context, tx *Tx, e Event, d domain.CsatRecorded) error {
	owner, ok, err := p.interactionOwner(ctx, tx, d.InteractionID)
	if err != nil || !ok {
		return err
	}
	at := eventTime(d.At, e)
	if err := tx.Exec(ctx, sqlCustomerCsat, d.Score, at, owner.customer, at); err != nil {
		return err
	}
	return p.insertTimeline(ctx, tx, e, owner, timelineRow{at: at, kind: TimelineCsat, interaction: d.InteractionID, summary: csatSummary(d)})
}

// interactionOwner returns the customer and channel of an interaction.
// ok is false for an interaction whose start was never seen.
func (p *Customer360) interactionOwner(ctx context.Context, tx *Tx, id string) (interactionOwner, bool, error) {
	if o, ok := p.interactions.get(id); ok {
		return o, true, nil
	}
	if err := p.Flush(ctx, tx); err != nil { // the row may still be buffered
		return interactionOwner{}, false, err
	}
	row, err := tx.QueryRow(ctx, `SELECT customer_id, channel FROM customer_interactions WHERE interaction_id = ?`, id)
	if err != nil {
		return interactionOwner{}, false, err
	}
	var o interactionOwner
	switch err := row.Scan(&o.customer, &o.channel); {
	case errors.Is(err, sql.ErrNoRows):
		return o, false, nil
	case err != nil:
		return o, false, fmt.Errorf("owner of interaction %s: %w", id, err)
	}
	p.interactions.put(id, o)
	return o, true, nil
}

// ticketOwner returns the customer of a ticket; ok is false for a ticket
// whose opening was never seen.
func (p *Customer360) ticketOwner(ctx context.Context, tx *Tx, id string) (string, bool, error) {
	if c, ok := p.tickets.get(id); ok {
		return c, true, nil
	}
	if err := p.Flush(ctx, tx); err != nil { // the row may still be buffered
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
