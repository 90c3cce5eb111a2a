package projections

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Ticket is a ticket as the read model has it. Collaborators, Interactions
// and Notes are filled by Ticket and TicketByNumber only, not in lists.
type Ticket struct {
	ID             string
	Number         string
	CustomerID     string
	Category       domain.TicketCategory
	Priority       domain.Priority
	BusinessDomain string
	Subject        string
	Description    string
	Status         domain.TicketStatus
	AssigneeID     string
	Queue          string // where an escalation put the ticket, "" if never escalated
	OpenedBy       string
	Resolution     string
	ResolvedBy     string
	OpenedAt       time.Time
	UpdatedAt      time.Time
	ResolvedAt     time.Time // zero unless resolved (cleared by a reopen)
	ClosedAt       time.Time
	NoteCount      int
	Collaborators  []domain.Collaborator
	Interactions   []string
	Notes          []TicketNote
}

// TicketNote is an internal note on a ticket.
type TicketNote struct {
	Position    uint64
	AuthorID    string
	Text        string
	Attachments []domain.Attachment
	At          time.Time
}

// TicketFilter selects tickets; zero fields do not filter. Within a slice
// any value matches; across fields all must.
type TicketFilter struct {
	Statuses       []domain.TicketStatus
	Priorities     []domain.Priority
	Categories     []domain.TicketCategory
	AssigneeID     string
	CustomerID     string // includes the tickets of customers merged into it
	BusinessDomain string
	OpenOnly       bool // not RESOLVED or CLOSED
	// OverdueAt, when not zero, keeps the open tickets with a deadline
	// before it: the due date of a collaborating department or the
	// deadline of a running SLA clock.
	OverdueAt time.Time
}

// TicketSortField is what tickets can be sorted by.
type TicketSortField string

// Ticket sort fields.
const (
	TicketsByOpenedAt  TicketSortField = "OPENED_AT"
	TicketsByUpdatedAt TicketSortField = "UPDATED_AT"
	TicketsByPriority  TicketSortField = "PRIORITY"
)

// TicketOrder is the order of a ticket list: Field (OPENED_AT when empty),
// ascending unless Desc, ties broken by id in the same direction.
type TicketOrder struct {
	Field TicketSortField
	Desc  bool
}

// TicketPage is one page of tickets.
type TicketPage struct {
	Tickets     []Ticket
	EndCursor   string
	HasNextPage bool
}

var ticketSortColumns = map[TicketSortField]string{
	TicketsByOpenedAt:  "opened_at",
	TicketsByUpdatedAt: "updated_at",
	TicketsByPriority:  "priority_rank",
}

const ticketColumns = `id, number, customer_id, category, priority, business_domain, subject, description, status,
	assignee_id, queue, opened_by, resolution, resolved_by, opened_at, updated_at, resolved_at, closed_at, note_count, priority_rank, `

// Ticket returns a ticket with its collaborators, linked interactions and
// notes, or a domain ENOTFOUND error.
func (db *ReadDB) Ticket(ctx context.Context, id string) (Ticket, error) {
	return db.ticketWhere(ctx, "id = ?", id)
}

// TicketByNumber returns the ticket with the given number, like Ticket.
func (db *ReadDB) TicketByNumber(ctx context.Context, number string) (Ticket, error) {
	return db.ticketWhere(ctx, "number = ?", number)
}

func (db *ReadDB) ticketWhere(ctx context.Context, where string, arg string) (Ticket, error) {
	var t Ticket
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		list, err := scanTickets(ctx, tx, `SELECT `+ticketColumns+`0 FROM tickets WHERE `+where+` ORDER BY id LIMIT 1`, arg)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return domain.Errorf(domain.ENOTFOUND, "ticket %s not found", arg)
		}
		t = list[0]
		return loadTicketDetails(ctx, tx, &t)
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %s: %w", arg, err)
	}
	return t, nil
}

func loadTicketDetails(ctx context.Context, tx *sql.Tx, t *Ticket) error {
	var err error
	if t.Interactions, err = queryStrings(ctx, tx, `SELECT interaction_id FROM ticket_interactions WHERE ticket_id = ?
		ORDER BY linked_at, interaction_id`, t.ID); err != nil {
		return fmt.Errorf("linked interactions: %w", err)
	}
	if t.Collaborators, err = ticketCollaborators(ctx, tx, t.ID); err != nil {
		return err
	}
	t.Notes, err = ticketNotes(ctx, tx, t.ID)
	return err
}

func ticketCollaborators(ctx context.Context, tx *sql.Tx, id string) ([]domain.Collaborator, error) {
	rows, err := tx.QueryContext(ctx, `SELECT department, agent_id, due_at FROM ticket_collaborators WHERE ticket_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("collaborators: %w", err)
	}
	defer rows.Close()
	var out []domain.Collaborator
	for rows.Next() {
		var c domain.Collaborator
		var due int64
		if err := rows.Scan(&c.Department, &c.AgentID, &due); err != nil {
			return nil, fmt.Errorf("collaborators: %w", err)
		}
		c.DueAt = fromNanos(due)
		out = append(out, c)
	}
	return out, rows.Err()
}

func ticketNotes(ctx context.Context, tx *sql.Tx, id string) ([]TicketNote, error) {
	rows, err := tx.QueryContext(ctx, `SELECT position, author_id, text, attachments, at FROM ticket_notes WHERE ticket_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	defer rows.Close()
	var out []TicketNote
	for rows.Next() {
		var n TicketNote
		var at int64
		var attachments string
		if err := rows.Scan(&n.Position, &n.AuthorID, &n.Text, &attachments, &at); err != nil {
			return nil, fmt.Errorf("notes: %w", err)
		}
		if n.Attachments, err = parseAttachments(attachments); err != nil {
			return nil, fmt.Errorf("notes of %s: %w", id, err)
		}
		n.At = fromNanos(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// scanTickets reads rows of ticketColumns followed by one more integer
// column (the sort key of a list, ignored otherwise).
func scanTickets(ctx context.Context, q querier, query string, args ...any) ([]Ticket, error) {
	list, _, err := scanTicketsWithKeys(ctx, q, query, args...)
	return list, err
}

func scanTicketsWithKeys(ctx context.Context, q querier, query string, args ...any) ([]Ticket, []int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []Ticket
	var keys []int64
	for rows.Next() {
		var t Ticket
		var times [4]int64
		var rank, key int64
		if err := rows.Scan(&t.ID, &t.Number, &t.CustomerID, &t.Category, &t.Priority, &t.BusinessDomain, &t.Subject, &t.Description,
			&t.Status, &t.AssigneeID, &t.Queue, &t.OpenedBy, &t.Resolution, &t.ResolvedBy, &times[0], &times[1], &times[2], &times[3],
			&t.NoteCount, &rank, &key); err != nil {
			return nil, nil, err
		}
		t.OpenedAt, t.UpdatedAt, t.ResolvedAt, t.ClosedAt = fromNanos(times[0]), fromNanos(times[1]), fromNanos(times[2]), fromNanos(times[3])
		out = append(out, t)
		keys = append(keys, key)
	}
	return out, keys, rows.Err()
}

// Tickets returns a page of the tickets matching f in order o. The cursor
// is the sort key and id of the last ticket returned (keyset pagination):
// the next page holds the tickets that sort after that key, as they are
// when it is read. A cursor is only valid with the order that produced it.
//
// What that guarantees:
//   - each page is read from one snapshot and holds a ticket at most once;
//   - when no ticket changes between pages, the pages hold every matching
//     ticket exactly once, in order;
//   - in OPENED_AT order, whatever changes, no ticket appears on two
//     pages: opened_at never changes, so a ticket never moves across the
//     cursor (one that stops or starts matching f, or is opened after the
//     first page, may of course be missing or new);
//   - in UPDATED_AT and PRIORITY order the key is mutable: a ticket whose
//     updated_at or priority changes between two pages can move across
//     the cursor, and then it is skipped (moved behind it) or shown again
//     (moved ahead of it). Listings that must be complete, such as
//     exports, page in OPENED_AT order.
func (db *ReadDB) Tickets(ctx context.Context, f TicketFilter, o TicketOrder, first int, after string) (TicketPage, error) {
	var page TicketPage
	if o.Field == "" {
		o.Field = TicketsByOpenedAt
	}
	column, ok := ticketSortColumns[o.Field]
	if !ok {
		return page, domain.Errorf(domain.EINVALID, "unknown ticket sort field %q", o.Field)
	}
	if err := f.validate(); err != nil {
		return page, err
	}
	kind := "tickets:" + string(o.Field) + ":" + direction(o.Desc)
	cur, hasCursor, err := decodeCursor(after, kind)
	if err != nil {
		return page, err
	}
	n := pageSize(first)
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		where, args, err := f.where(ctx, tx)
		if err != nil {
			return err
		}
		cmp := ">"
		if o.Desc {
			cmp = "<"
		}
		if hasCursor {
			where = append(where, "("+column+", id) "+cmp+" (?, ?)")
			args = append(args, cur.Num, cur.ID)
		}
		dir := direction(o.Desc)
		query := `SELECT ` + ticketColumns + column + ` FROM tickets WHERE ` + strings.Join(where, " AND ") +
			` ORDER BY ` + column + ` ` + dir + `, id ` + dir + ` LIMIT ?`
		var keys []int64
		page.Tickets, keys, err = scanTicketsWithKeys(ctx, tx, query, append(args, n+1)...)
		if err != nil {
			return err
		}
		if len(page.Tickets) > n {
			page.Tickets, page.HasNextPage = page.Tickets[:n], true
		}
		if k := len(page.Tickets); k > 0 {
			page.EndCursor = cursor{Kind: kind, Num: keys[k-1], ID: page.Tickets[k-1].ID}.encode()
		}
		return nil
	})
	if err != nil {
		return TicketPage{}, fmt.Errorf("tickets: %w", err)
	}
	return page, nil
}

func direction(desc bool) string {
	if desc {
		return "DESC"
	}
	return "ASC"
}

func (f TicketFilter) validate() error {
	for _, s := range f.Statuses {
		if !s.Valid() {
			return domain.Errorf(domain.EINVALID, "unknown ticket status %q", s)
		}
	}
	for _, p := range f.Priorities {
		if !p.Valid() {
			return domain.Errorf(domain.EINVALID, "unknown priority %q", p)
		}
	}
	for _, c := range f.Categories {
		if !c.Valid() {
			return domain.Errorf(domain.EINVALID, "unknown ticket category %q", c)
		}
	}
	return nil
}

// where returns the filter's SQL conditions and their arguments.
func (f TicketFilter) where(ctx context.Context, tx *sql.Tx) ([]string, []any, error) {
	where := []string{"1"}
	var args []any
	in := func(column string, values []any) {
		if len(values) > 0 {
			where = append(where, column+" IN ("+placeholders(len(values))+")")
			args = append(args, values...)
		}
	}
	in("status", anys(f.Statuses))
	in("priority", anys(f.Priorities))
	in("category", anys(f.Categories))
	if f.AssigneeID != "" {
		where, args = append(where, "assignee_id = ?"), append(args, f.AssigneeID)
	}
	if f.BusinessDomain != "" {
		where, args = append(where, "business_domain = ?"), append(args, f.BusinessDomain)
	}
	if f.OpenOnly {
		where = append(where, "is_open = 1")
	}
	if !f.OverdueAt.IsZero() {
		where = append(where, `is_open = 1 AND (EXISTS (SELECT 1 FROM ticket_collaborators c
			WHERE c.ticket_id = tickets.id AND c.due_at > 0 AND c.due_at < ?)
			OR EXISTS (SELECT 1 FROM ticket_sla s WHERE s.ticket_id = tickets.id AND s.state = 'RUNNING' AND s.deadline < ?))`)
		args = append(args, nanos(f.OverdueAt), nanos(f.OverdueAt))
	}
	if f.CustomerID != "" {
		group, err := customerGroup(ctx, tx, f.CustomerID)
		if err != nil {
			return nil, nil, err
		}
		in("customer_id", anys(group))
	}
	return where, args, nil
}

// OpenTickets returns a customer's open tickets (those of customers merged
// into it included), most urgent first, then oldest first.
func (db *ReadDB) OpenTickets(ctx context.Context, customerID string) ([]Ticket, error) {
	var list []Ticket
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		group, err := customerGroup(ctx, tx, customerID)
		if err != nil {
			return err
		}
		// "+is_open" keeps SQLite from walking tickets_open_priority (every
		// open ticket, in the order asked for) instead of the customer's few
		// tickets in tickets_customer.
		list, err = scanTickets(ctx, tx, `SELECT `+ticketColumns+`0 FROM tickets
			WHERE customer_id IN (`+placeholders(len(group))+`) AND +is_open = 1
			ORDER BY priority_rank DESC, opened_at, id`, anys(group)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open tickets of %s: %w", customerID, err)
	}
	return list, nil
}

// TicketOfInteraction returns the newest ticket of the customer's (or of
// the customers merged into it) that the interaction is linked to, false
// when none is.
func (db *ReadDB) TicketOfInteraction(ctx context.Context, customerID, interactionID string) (Ticket, bool, error) {
	var list []Ticket
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		group, err := customerGroup(ctx, tx, customerID)
		if err != nil {
			return err
		}
		// From the customer's few tickets (tickets_customer) to their links
		// (keyed by ticket), not from the links, which have no index by
		// interaction.
		list, err = scanTickets(ctx, tx, `SELECT `+ticketColumns+`0 FROM tickets
			WHERE customer_id IN (`+placeholders(len(group))+`)
			AND EXISTS (SELECT 1 FROM ticket_interactions ti WHERE ti.ticket_id = tickets.id AND ti.interaction_id = ?)
			ORDER BY opened_at DESC, id LIMIT 1`, append(anys(group), interactionID)...)
		return err
	})
	if err != nil {
		return Ticket{}, false, fmt.Errorf("ticket of interaction %s: %w", interactionID, err)
	}
	if len(list) == 0 {
		return Ticket{}, false, nil
	}
	return list[0], true, nil
}
