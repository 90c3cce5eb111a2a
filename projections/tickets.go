package projections

import (
	"context"

	"github.com/interactionledger/ledger/domain"
)

// Tickets is the projection of tickets, their collaborators, linked
// interactions, internal notes and SLA clocks.
type Tickets struct{ sqlSchema }

// NewTickets returns the tickets projection.
func NewTickets() *Tickets { return &Tickets{loadSchema("tickets")} }

// Name implements Projection.
func (*Tickets) Name() string { return "tickets" }

const (
	sqlTicketInsert = `INSERT INTO tickets (id, number, customer_id, category, priority, priority_rank, business_domain,
			subject, description, status, is_open, opened_by, opened_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'NEW', 1, ?, ?, ?) ON CONFLICT DO NOTHING`
	// Assignment moves a new or reopened ticket to ASSIGNED, as
	// domain.EvolveTicket does.
	sqlTicketAssign = `UPDATE tickets SET assignee_id = ?, updated_at = ?,
		status = CASE WHEN status IN ('NEW', 'REOPENED') THEN 'ASSIGNED' ELSE status END WHERE id = ?`
	sqlTicketStatus   = `UPDATE tickets SET status = ?, is_open = ?, updated_at = ? WHERE id = ?`
	sqlTicketPriority = `UPDATE tickets SET priority = ?, priority_rank = ?, updated_at = ? WHERE id = ?`
	sqlTicketNote     = `INSERT INTO ticket_notes (position, ticket_id, author_id, text, attachments, at) VALUES (?, ?, ?, ?, ?, ?)`
	sqlTicketNoted    = `UPDATE tickets SET note_count = note_count + 1, updated_at = ? WHERE id = ?`
	sqlTicketCollab   = `INSERT INTO ticket_collaborators (position, ticket_id, department, agent_id, due_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`
	sqlTicketLink    = `INSERT INTO ticket_interactions (ticket_id, interaction_id, linked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	sqlTicketTouch   = `UPDATE tickets SET updated_at = ? WHERE id = ?`
	sqlTicketResolve = `UPDATE tickets SET status = 'RESOLVED', is_open = 0, resolution = ?, resolved_by = ?, resolved_at = ?, updated_at = ?
		WHERE id = ?`
	// A reopened ticket is unresolved again: the resolution, its author
	// and its time all go (a later TicketResolved sets new ones), as
	// domain.EvolveTicket clears ResolvedAt.
	sqlTicketReopen = `UPDATE tickets SET status = 'REOPENED', is_open = 1, resolution = '', resolved_by = '', resolved_at = 0,
		updated_at = ? WHERE id = ?`
	sqlTicketQueue = `UPDATE tickets SET queue = ?, updated_at = ? WHERE id = ?`
	sqlTicketClose = `UPDATE tickets SET status = 'CLOSED', is_open = 0, closed_at = ?, updated_at = ? WHERE id = ?`
)

// Apply implements Projection.
func (p *Tickets) Apply(ctx context.Context, tx *Tx, e Event) error {
	if ok, err := applySla(ctx, tx, e); ok {
		return err
	}
	switch d := e.Data.(type) {
	case domain.TicketOpened:
		return applyTicketOpened(ctx, tx, e, d)
	case domain.TicketAssigned:
		return tx.Exec(ctx, sqlTicketAssign, d.AgentID, eventTime(d.At, e), d.TicketID)
	case domain.TicketStatusChanged:
		return tx.Exec(ctx, sqlTicketStatus, d.To, d.To.Open(), eventTime(d.At, e), d.TicketID)
	case domain.TicketPriorityChanged:
		return tx.Exec(ctx, sqlTicketPriority, d.To, priorityRank(d.To), eventTime(d.At, e), d.TicketID)
	case domain.TicketNoteAdded:
		at := eventTime(d.At, e)
		attachments, err := attachmentsJSON(d.Attachments)
		if err != nil {
			return err
		}
		if err := tx.Exec(ctx, sqlTicketNote, e.Position, d.TicketID, d.AuthorID, d.Text, attachments, at); err != nil {
			return err
		}
		return tx.Exec(ctx, sqlTicketNoted, at, d.TicketID)
	case domain.TicketCollaboratorAdded:
		c := d.Collaborator
		if err := tx.Exec(ctx, sqlTicketCollab, e.Position, d.TicketID, c.Department, c.AgentID, nanos(c.DueAt)); err != nil {
			return err
		}
		return tx.Exec(ctx, sqlTicketTouch, eventTime(d.At, e), d.TicketID)
	case domain.TicketInteractionLinked:
		at := eventTime(d.At, e)
		if err := tx.Exec(ctx, sqlTicketLink, d.TicketID, d.InteractionID, at); err != nil {
			return err
		}
		return tx.Exec(ctx, sqlTicketTouch, at, d.TicketID)
	case domain.TicketResolved:
		at := eventTime(d.At, e)
		return tx.Exec(ctx, sqlTicketResolve, d.Resolution, d.ResolvedBy, at, at, d.TicketID)
	case domain.TicketReopened:
		return tx.Exec(ctx, sqlTicketReopen, eventTime(d.At, e), d.TicketID)
	case domain.TicketEscalated:
		// The priority change an escalation makes is its own
		// TicketPriorityChanged event, applied above.
		return tx.Exec(ctx, sqlTicketQueue, d.Queue, eventTime(d.At, e), d.TicketID)
	case domain.TicketClosed:
		at := eventTime(d.At, e)
		return tx.Exec(ctx, sqlTicketClose, at, at, d.TicketID)
	case domain.CustomerErased:
		return p.erase(ctx, tx, d)
	}
	return nil
}

func applyTicketOpened(ctx context.Context, tx *Tx, e Event, d domain.TicketOpened) error {
	at := eventTime(d.At, e)
	if err := tx.Exec(ctx, sqlTicketInsert, d.TicketID, d.Number, d.CustomerID, d.Category, d.Priority, priorityRank(d.Priority),
		d.BusinessDomain, d.Subject, d.Description, d.OpenedBy, at, at); err != nil {
		return err
	}
	if d.InteractionID == "" {
		return nil
	}
	return tx.Exec(ctx, sqlTicketLink, d.TicketID, d.InteractionID, at)
}
