package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// applyTicketTimeline adds the timeline entry of a ticket event.
func (p *Customer360) applyTicketTimeline(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.TicketOpened:
		p.ticketRows.add(d.TicketID, d.CustomerID)
		p.tickets.put(d.TicketID, d.CustomerID)
		p.addEntry(e, d.CustomerID, d.At, TimelineTicketOpened, d.InteractionID, d.TicketID, excerpt("#"+d.Number+" "+d.Subject, SummaryRunes))
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

// ticketEntry adds an entry for an event of a known ticket; the events of a
// ticket whose opening was never seen have no customer to show them to.
func (p *Customer360) ticketEntry(ctx context.Context, tx *Tx, e Event, id string, at time.Time, kind TimelineKind, summary string) error {
	customer, ok, err := p.ticketOwner(ctx, tx, id)
	if err != nil || !ok {
		return err
	}
	p.addEntry(e, customer, at, kind, "", id, summary)
	return nil
}

func (p *Customer360) addEntry(e Event, customer string, at time.Time, kind TimelineKind, interaction, ticket, summary string) {
	p.timeline.add(int64(e.Position), customer, eventTime(at, e), "", string(kind), interaction, ticket, summary)
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
	key := timelineKey{customerID, n}
	cacheable := !hasCursor && n <= timelineCacheMax
	if cacheable {
		if page, ok := getView(db.views, &db.views.timelines, key); ok {
			return page, nil
		}
	}
	epoch := db.viewEpoch(ctx)
	var deps []string
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		q := db.cached(tx) // the agent desktop's hottest query: parse it once
		group, err := customerGroup(ctx, q, customerID)
		if err != nil {
			return err
		}
		var c *cursor
		if hasCursor {
			c = &cur
		}
		query, args := timelineQuery(group, c)
		if page.Entries, err = scanTimeline(ctx, q, query, append(args, n+1)...); err != nil || !cacheable {
			return err
		}
		deps, err = groupViewDeps(ctx, q, group)
		return err
	})
	if err != nil {
		return TimelinePage{}, fmt.Errorf("timeline of %s: %w", customerID, err)
	}
	page = finishTimelinePage(page, n)
	if cacheable {
		putView(db.views, &db.views.timelines, key, page, epoch, deps)
	}
	return page, nil
}

// finishTimelinePage cuts the n+1 entries read to n and sets the cursor.
func finishTimelinePage(page TimelinePage, n int) TimelinePage {
	if len(page.Entries) > n {
		page.Entries, page.HasNextPage = page.Entries[:n], true
	}
	if k := len(page.Entries); k > 0 {
		last := page.Entries[k-1]
		page.EndCursor = cursor{Kind: "timeline", Num: nanos(last.At), Pos: int64(last.Position)}.encode()
	}
	page.Entries = slices.Clip(page.Entries) // cached and shared: an append must copy
	return page
}

// timelineArms are the parts of the timeline: ticket entries from the
// timeline table, the interaction events kept as columns of the
// interactions read model, and its messages. Each selects position,
// customer_id, at, channel, kind, interaction_id, ticket_id, and the raw
// material of the summary (s1, s2, n1; see entrySummary), from rows whose
// customer is in the group (the "%s" is the list of placeholders).
//
// The interaction events (started, answered, call ended, closed or
// abandoned, CSAT) come from one pass over the customer's interactions,
// each row crossed with the five kinds and kept where that event happened:
// one index range scan instead of one per kind, which was the screen pop's
// largest cost.
var timelineArms = []string{
	`SELECT position AS pos, customer_id, at, channel, kind, interaction_id, ticket_id, summary AS s1, '' AS s2, 0 AS n1
		FROM timeline WHERE customer_id IN (%s)`,
	`SELECT CASE k.n WHEN 0 THEN i.seq WHEN 1 THEN i.answered_pos WHEN 2 THEN i.call_ended_pos WHEN 3 THEN i.closed_pos ELSE i.csat_pos END,
			i.customer_id,
			CASE k.n WHEN 0 THEN i.started_at WHEN 1 THEN i.answered_at WHEN 2 THEN i.call_ended_at WHEN 3 THEN i.closed_at ELSE i.csat_at END,
			i.channel,
			CASE k.n WHEN 0 THEN '` + string(TimelineInteractionStarted) + `' WHEN 1 THEN '` + string(TimelineCallAnswered) + `'
				WHEN 2 THEN '` + string(TimelineCallEnded) + `'
				WHEN 3 THEN CASE i.status WHEN 'ABANDONED' THEN '` + string(TimelineAbandoned) + `' ELSE '` + string(TimelineInteractionClosed) + `' END
				ELSE '` + string(TimelineCsat) + `' END,
			i.id, '',
			CASE k.n WHEN 0 THEN i.subject WHEN 1 THEN i.answered_by WHEN 2 THEN i.ended_by WHEN 3 THEN i.disposition ELSE i.csat_comment END,
			CASE k.n WHEN 3 THEN i.summary ELSE '' END,
			CASE k.n WHEN 2 THEN i.talk_seconds WHEN 4 THEN i.csat ELSE 0 END
		FROM interactions i CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS k
		WHERE i.customer_id IN (%s)
			AND CASE k.n WHEN 0 THEN 1 WHEN 1 THEN i.answered_pos WHEN 2 THEN i.call_ended_pos WHEN 3 THEN i.closed_pos ELSE i.csat_pos END > 0`,
	`SELECT m.position, i.customer_id, m.at, i.channel,
			CASE m.direction WHEN '` + DirectionIn + `' THEN '` + string(TimelineMessageIn) + `' ELSE '` + string(TimelineMessageOut) + `' END,
			i.id, '', substr(m.text, 1, ` + fmt.Sprint(4*SummaryRunes) + `), m.attachments, 0
		FROM interactions i JOIN messages m ON m.interaction_seq = i.seq WHERE i.customer_id IN (%s)`,
}

// timelineQuery merges the timeline's arms for group, after cur if not nil;
// the caller appends the LIMIT argument.
func timelineQuery(group []string, cur *cursor) (string, []any) {
	arms := make([]string, len(timelineArms))
	var args []any
	for i, a := range timelineArms {
		arms[i] = fmt.Sprintf(a, placeholders(len(group)))
		args = append(args, anys(group)...)
	}
	query := "SELECT * FROM (" + strings.Join(arms, "\nUNION ALL\n") + ")"
	if cur != nil {
		query += " WHERE (at, pos) < (?, ?)"
		args = append(args, cur.Num, cur.Pos)
	}
	return query + "\nORDER BY at DESC, pos DESC LIMIT ?", args
}

func scanTimeline(ctx context.Context, q querier, query string, args ...any) ([]TimelineEntry, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TimelineEntry
	var names interner
	var customer, channel, kind, interaction, ticket sql.RawBytes
	for rows.Next() {
		var t TimelineEntry
		var at int64
		var s1, s2 string
		var n1 float64
		if err := rows.Scan(&t.Position, &customer, &at, &channel, &kind, &interaction, &ticket, &s1, &s2, &n1); err != nil {
			return nil, err
		}
		t.CustomerID, t.InteractionID, t.TicketID = names.of(customer), names.of(interaction), names.of(ticket)
		t.Channel, t.Kind = domain.Channel(names.of(channel)), TimelineKind(names.of(kind))
		t.At = fromNanos(at)
		t.Summary = entrySummary(t.Kind, t.Channel, s1, s2, n1)
		out = append(out, t)
	}
	return out, rows.Err()
}

// interner gives one string per distinct value: a page of a timeline
// names the same customer, interactions, channels and kinds over and
// over, and the view cache keeps pages.
type interner map[string]string

func (n *interner) of(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := (*n)[string(b)]; ok {
		return s
	}
	if *n == nil {
		*n = make(map[string]string, 8)
	}
	s := string(b)
	(*n)[s] = s
	return s
}

// entrySummary writes the one-line summary of an entry from what its arm
// selected.
func entrySummary(kind TimelineKind, channel domain.Channel, s1, s2 string, n1 float64) string {
	switch kind {
	case TimelineInteractionStarted:
		if s := excerpt(s1, SummaryRunes); s != "" {
			return s
		}
		return "started on " + string(channel)
	case TimelineCallAnswered:
		return "answered by " + s1
	case TimelineCallEnded:
		return fmt.Sprintf("ended by %s after %ds", s1, int(n1))
	case TimelineInteractionClosed:
		if s2 == "" {
			return s1
		}
		return excerpt(s1+": "+s2, SummaryRunes)
	case TimelineAbandoned:
		return excerpt(s1, SummaryRunes) // the reason, kept as the interaction's summary
	case TimelineCsat:
		return excerpt(strconv.Itoa(int(n1))+"/5 "+s1, SummaryRunes)
	case TimelineMessageIn, TimelineMessageOut:
		return messageSummary(s1, s2)
	}
	return s1 // ticket entries are stored summarised
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
