package projections

import (
	"context"
	"encoding/json"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// TimelineKind says what a timeline entry records.
type TimelineKind string

// Timeline entry kinds.
const (
	TimelineInteractionStarted TimelineKind = "INTERACTION_STARTED"
	TimelineMessageIn          TimelineKind = "MESSAGE_IN"
	TimelineMessageOut         TimelineKind = "MESSAGE_OUT"
	TimelineCallAnswered       TimelineKind = "CALL_ANSWERED"
	TimelineCallEnded          TimelineKind = "CALL_ENDED"
	TimelineAbandoned          TimelineKind = "ABANDONED"
	TimelineInteractionClosed  TimelineKind = "INTERACTION_CLOSED"
	TimelineCsat               TimelineKind = "CSAT"
	TimelineTicketOpened       TimelineKind = "TICKET_OPENED"
	TimelineTicketStatus       TimelineKind = "TICKET_STATUS_CHANGED"
	TimelineTicketResolved     TimelineKind = "TICKET_RESOLVED"
	TimelineTicketReopened     TimelineKind = "TICKET_REOPENED"
	TimelineTicketClosed       TimelineKind = "TICKET_CLOSED"
)

// TimelineEntry is one notable event in a customer's history, on any
// channel.
type TimelineEntry struct {
	Position      uint64 // the event's $all position: unique, and the audit link
	CustomerID    string // the customer it happened to (a merged-in one, on a merge target)
	At            time.Time
	Channel       domain.Channel // "" for ticket events
	Kind          TimelineKind
	InteractionID string
	TicketID      string
	Summary       string // one line of at most SummaryRunes runes
}

// TimelinePage is one page of a timeline, newest first.
type TimelinePage struct {
	Entries     []TimelineEntry
	EndCursor   string // pass as after for the next page; "" when empty
	HasNextPage bool
}

// timelineRow is a timeline entry about to be written; the customer and
// channel come from the owner.
type timelineRow struct {
	at          int64
	kind        TimelineKind
	interaction string
	ticket      string
	summary     string
}

func (p *Customer360) insertTimeline(_ context.Context, _ *Tx, e Event, owner interactionOwner, r timelineRow) error {
	p.timeline.add(int64(e.Position), owner.customer, r.at, string(owner.channel), string(r.kind), r.interaction, r.ticket, r.summary)
	return nil
}

// applyTimeline adds the timeline entry of an interaction or ticket event.
//
// Messages get no row here: the timeline query reads them from the
// interactions read model's messages table. A message is most of the
// events, and writing it twice (message and timeline entry) would be most
// of the cost of a rebuild.
func (p *Customer360) applyTimeline(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.InteractionStarted:
		return p.applyInteractionStarted(ctx, tx, e, d)
	case domain.CallAnswered:
		return p.interactionEntry(ctx, tx, e, d.InteractionID, d.At, TimelineCallAnswered, "answered by "+d.AgentID)
	case domain.CallEnded:
		return p.interactionEntry(ctx, tx, e, d.InteractionID, d.At, TimelineCallEnded, callEndedSummary(d))
	case domain.InteractionAbandoned:
		return p.interactionEntry(ctx, tx, e, d.InteractionID, d.At, TimelineAbandoned, excerpt(d.Reason, SummaryRunes))
	case domain.InteractionClosed:
		return p.interactionEntry(ctx, tx, e, d.InteractionID, d.At, TimelineInteractionClosed, closedSummary(d))
	case domain.TicketOpened:
		return p.applyTicketOpened(ctx, tx, e, d)
	case domain.TicketStatusChanged:
		return p.ticketEntry(ctx, tx, e, d.TicketID, d.At, TimelineTicketStatus, string(d.From)+" -> "+string(d.To))
	case domain.TicketResolved:
		return p.ticketEntry(ctx, tx, e, d.TicketID, d.At, TimelineTicketResolved, excerpt(d.Resolution, SummaryRunes))
	case domain.TicketReopened:
		return p.ticketEntry(ctx, tx, e, d.TicketID, d.At, TimelineTicketReopened, excerpt(d.Reason, SummaryRunes))
	case domain.TicketClosed:
		return p.ticketEntry(ctx, tx, e, d.TicketID, d.At, TimelineTicketClosed, "")
	}
	return nil
}

func (p *Customer360) applyInteractionStarted(ctx context.Context, tx *Tx, e Event, d domain.InteractionStarted) error {
	at := eventTime(d.At, e)
	p.interactionRows.add(d.InteractionID, d.CustomerID, string(d.Channel), at)
	owner := interactionOwner{customer: d.CustomerID, channel: d.Channel}
	p.interactions.put(d.InteractionID, owner)
	summary := excerpt(d.Subject, SummaryRunes)
	if summary == "" {
		summary = "started on " + string(d.Channel)
	}
	return p.insertTimeline(ctx, tx, e, owner, timelineRow{at: at, kind: TimelineInteractionStarted, interaction: d.InteractionID, summary: summary})
}

func (p *Customer360) applyTicketOpened(ctx context.Context, tx *Tx, e Event, d domain.TicketOpened) error {
	p.ticketRows.add(d.TicketID, d.CustomerID)
	p.tickets.put(d.TicketID, d.CustomerID)
	owner := interactionOwner{customer: d.CustomerID}
	summary := excerpt("#"+d.Number+" "+d.Subject, SummaryRunes)
	return p.insertTimeline(ctx, tx, e, owner, timelineRow{at: eventTime(d.At, e), kind: TimelineTicketOpened, interaction: d.InteractionID, ticket: d.TicketID, summary: summary})
}

// interactionEntry adds an entry for an event of a known interaction; an
// event of an interaction whose start was never seen has no customer to
// show it to, and is left out.
func (p *Customer360) interactionEntry(ctx context.Context, tx *Tx, e Event, id string, at time.Time, kind TimelineKind, summary string) error {
	owner, ok, err := p.interactionOwner(ctx, tx, id)
	if err != nil || !ok {
		return err
	}
	return p.insertTimeline(ctx, tx, e, owner, timelineRow{at: eventTime(at, e), kind: kind, interaction: id, summary: summary})
}

func (p *Customer360) ticketEntry(ctx context.Context, tx *Tx, e Event, id string, at time.Time, kind TimelineKind, summary string) error {
	customer, ok, err := p.ticketOwner(ctx, tx, id)
	if err != nil || !ok {
		return err
	}
	return p.insertTimeline(ctx, tx, e, interactionOwner{customer: customer}, timelineRow{at: eventTime(at, e), kind: kind, ticket: id, summary: summary})
}

// messageSummary is a message's text cut to a summary, or for a message
// with attachments only, the first attachment's name.
func messageSummary(text, attachmentsJSON string) string {
	if s := excerpt(text, SummaryRunes); s != "" || attachmentsJSON == "" {
		return s
	}
	var attachments []domain.Attachment
	if err := json.Unmarshal([]byte(attachmentsJSON), &attachments); err != nil || len(attachments) == 0 {
		return "[attachment]"
	}
	name := attachments[0].Name
	if len(attachments) > 1 {
		name += " (+" + strconv.Itoa(len(attachments)-1) + ")"
	}
	return excerpt("[attachment] "+name, SummaryRunes)
}

func callEndedSummary(d domain.CallEnded) string {
	return fmt.Sprintf("ended by %s after %ds", d.EndedBy, int(d.TalkSeconds))
}

func closedSummary(d domain.InteractionClosed) string {
	if d.Summary == "" {
		return string(d.Disposition)
	}
	return excerpt(string(d.Disposition)+": "+d.Summary, SummaryRunes)
}

func csatSummary(d domain.CsatRecorded) string {
	s := strconv.Itoa(d.Score) + "/5"
	if d.Comment != "" {
		s = excerpt(s+" "+d.Comment, SummaryRunes)
	}
	return s
}

// Timeline returns a page of a customer's cross-channel timeline, newest
// first, including the customers merged into it. Entries are ordered by
// time, then $all position; the cursor is the time and position of the last
// entry returned, so entries added while a client pages never shift or
// repeat the entries it has not read yet.
func (db *ReadDB) Timeline(ctx context.Context, customerID string, first int, after string) (TimelinePage, error) {
	var page TimelinePage
	cur, hasCursor, err := decodeCursor(after, "timeline")
	if err != nil {
		return page, err
	}
	n := pageSize(first)
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		group, err := customerGroup(ctx, tx, customerID)
		if err != nil {
			return err
		}
		query, args := timelineQuery(group, hasCursor, cur)
		page.Entries, err = scanTimeline(ctx, tx, query, append(args, n+1)...)
		return err
	})
	if err != nil {
		return TimelinePage{}, fmt.Errorf("timeline of %s: %w", customerID, err)
	}
	if len(page.Entries) > n {
		page.Entries, page.HasNextPage = page.Entries[:n], true
	}
	if k := len(page.Entries); k > 0 {
		last := page.Entries[k-1]
		page.EndCursor = cursor{Kind: "timeline", Num: nanos(last.At), Pos: int64(last.Position)}.encode()
	}
	return page, nil
}

// timelineQuery merges the timeline table with the group's messages.
// Message text is cut in SQL to what a summary can use.
func timelineQuery(group []string, hasCursor bool, cur cursor) (string, []any) {
	in := placeholders(len(group))
	var args []any
	entries := `SELECT position, customer_id, at, channel, kind, interaction_id, ticket_id, summary, '' AS attachments
		FROM timeline WHERE customer_id IN (` + in + `)`
	args = append(args, anys(group)...)
	if hasCursor {
		entries += ` AND (at, position) < (?, ?)`
		args = append(args, cur.Num, cur.Pos)
	}
	messages := `SELECT m.position, i.customer_id, m.at, i.channel,
			CASE m.direction WHEN '` + DirectionIn + `' THEN '` + string(TimelineMessageIn) + `' ELSE '` + string(TimelineMessageOut) + `' END,
			m.interaction_id, '', substr(m.text, 1, ` + fmt.Sprint(4*SummaryRunes) + `), m.attachments
		FROM interactions i JOIN messages m ON m.interaction_id = i.id
		WHERE i.customer_id IN (` + in + `)`
	args = append(args, anys(group)...)
	if hasCursor {
		messages += ` AND (m.at, m.position) < (?, ?)`
		args = append(args, cur.Num, cur.Pos)
	}
	return entries + ` UNION ALL ` + messages + ` ORDER BY at DESC, position DESC LIMIT ?`, args
}

func scanTimeline(ctx context.Context, q querier, query string, args ...any) ([]TimelineEntry, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TimelineEntry
	for rows.Next() {
		var t TimelineEntry
		var at int64
		var attachments string
		if err := rows.Scan(&t.Position, &t.CustomerID, &at, &t.Channel, &t.Kind, &t.InteractionID, &t.TicketID, &t.Summary, &attachments); err != nil {
			return nil, err
		}
		t.At = fromNanos(at)
		if t.Kind == TimelineMessageIn || t.Kind == TimelineMessageOut {
			t.Summary = messageSummary(t.Summary, attachments)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
