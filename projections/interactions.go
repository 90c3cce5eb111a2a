package projections

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Interactions is the projection of interactions and their messages.
type Interactions struct {
	sqlSchema
	rows     *rowCache[interactionRow]
	messages *rowBuffer
}

// interactionRow is a row of the interactions table.
type interactionRow struct {
	seq                                                     int64
	customer, channel, identityKind, identityValue, subject string
	identityCheck                                           string
	status, queue, priority, agent                          string
	started, queued, assigned                               int64
	answered, answeredPos                                   int64
	answeredBy                                              string
	callEnded, callEndedPos                                 int64
	endedBy                                                 string
	talkSeconds                                             float64
	closed, closedPos                                       int64
	disposition, summary                                    string
	csat                                                    int
	csatComment                                             string
	csatAt, csatPos                                         int64
	wrapUpExpired                                           int64
}

// interactionCacheSize bounds the interactions kept in memory between
// batches.
const interactionCacheSize = rowCacheSize

// interactionRowColumns are the columns of an interactions row, the key
// (seq) first: see schema/interactions.sql.
var interactionRowColumns = []string{"seq", "id", "customer_id", "channel", "identity_kind", "identity_value", "identity_check", "subject", "status",
	"queue", "priority", "agent_id", "started_at", "queued_at", "assigned_at", "answered_at", "answered_pos", "answered_by",
	"call_ended_at", "call_ended_pos", "ended_by", "talk_seconds", "closed_at", "closed_pos", "disposition", "summary",
	"csat", "csat_comment", "csat_at", "csat_pos", "wrap_up_expired_at"}

// NewInteractions returns the interactions projection.
func NewInteractions() *Interactions {
	p := &Interactions{
		sqlSchema: loadSchema("interactions"),
		rows: newRowCache(interactionCacheSize, newSeqRowBuffer("interactions", interactionRowColumns, interactionUpsertTail),
			`DELETE FROM interactions WHERE id IN `, loadInteractionRow, saveInteractionRow),
		messages: newRowBuffer("messages", []string{"interaction_seq", "position", "message_id", "direction", "agent_id", "text",
			"attachments", "sent_at", "at"}, ""),
	}
	p.messages.order = func(x, y []any) int { // the primary key
		if c := cmp.Compare(x[0].(int64), y[0].(int64)); c != 0 {
			return c
		}
		return cmp.Compare(x[1].(int64), y[1].(int64))
	}
	return p
}

// newSeqRowBuffer is newRowBuffer for a table keyed by its first column,
// an integer: rows are written in key order (see rowBuffer.order).
func newSeqRowBuffer(table string, columns []string, tail string) *rowBuffer {
	b := newRowBuffer(table, columns, tail)
	b.order = func(x, y []any) int { return cmp.Compare(x[0].(int64), y[0].(int64)) }
	return b
}

// interactionUpsertTail updates a row by its key, seq, leaving out the
// columns fixed when the interaction starts (identity_check is not: a
// weaker message lowers it, see weakenCheck).
var interactionUpsertTail = upsertTail(slices.DeleteFunc(slices.Clone(interactionRowColumns), func(c string) bool {
	return slices.Contains([]string{"id", "customer_id", "channel", "identity_kind", "identity_value", "subject", "started_at"}, c)
}), 1)

// interactionLoadColumns are the columns loadInteractionRow reads: all
// but id, which it looks up by.
var interactionLoadColumns = strings.Join(slices.DeleteFunc(slices.Clone(interactionRowColumns), func(c string) bool { return c == "id" }), ", ")

func loadInteractionRow(ctx context.Context, tx *Tx, id string) (interactionRow, bool, error) {
	var r interactionRow
	row, err := tx.QueryRow(ctx, `SELECT `+interactionLoadColumns+` FROM interactions WHERE id = ?`, id)
	if err != nil {
		return r, false, err
	}
	err = row.Scan(&r.seq, &r.customer, &r.channel, &r.identityKind, &r.identityValue, &r.identityCheck, &r.subject, &r.status, &r.queue, &r.priority,
		&r.agent, &r.started, &r.queued, &r.assigned, &r.answered, &r.answeredPos, &r.answeredBy,
		&r.callEnded, &r.callEndedPos, &r.endedBy, &r.talkSeconds, &r.closed, &r.closedPos, &r.disposition, &r.summary,
		&r.csat, &r.csatComment, &r.csatAt, &r.csatPos, &r.wrapUpExpired)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("load interaction %s: %w", id, err)
	}
	return r, true, nil
}

func saveInteractionRow(b *rowBuffer, id string, r interactionRow) {
	b.add(r.seq, id, r.customer, r.channel, r.identityKind, r.identityValue, r.identityCheck, r.subject, r.status, r.queue, r.priority, r.agent,
		r.started, r.queued, r.assigned, r.answered, r.answeredPos, r.answeredBy,
		r.callEnded, r.callEndedPos, r.endedBy, r.talkSeconds, r.closed, r.closedPos, r.disposition, r.summary,
		r.csat, r.csatComment, r.csatAt, r.csatPos, r.wrapUpExpired)
}

// Name implements Projection.
func (*Interactions) Name() string { return "interactions" }

// Reset implements Resetter.
func (p *Interactions) Reset() {
	p.rows.reset()
	p.messages.reset()
}

// Flush implements Flusher.
func (p *Interactions) Flush(ctx context.Context, tx *Tx) error {
	if err := p.messages.flush(ctx, tx); err != nil {
		return err
	}
	return p.rows.flush(ctx, tx)
}

// Message directions.
const (
	DirectionIn  = "IN"  // from the customer
	DirectionOut = "OUT" // from an agent
)

// Apply implements Projection.
func (p *Interactions) Apply(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.InteractionStarted:
		p.rows.create(d.InteractionID, interactionRow{
			seq: int64(e.Position), customer: d.CustomerID, channel: string(d.Channel), identityKind: string(d.Identity.Kind),
			identityValue: d.Identity.Value, identityCheck: string(d.IdentityCheck), subject: d.Subject, status: string(domain.InteractionStatusActive),
			priority: string(domain.PriorityNormal), started: eventTime(d.At, e),
		})
		return nil
	case domain.MessageReceived:
		attachments, err := attachmentsJSON(d.Attachments)
		if err != nil {
			return err
		}
		if err := p.addMessage(ctx, tx, e, d.InteractionID, d.MessageID, DirectionIn, "", d.Text, attachments, nanos(d.SentAt), d.At); err != nil {
			return err
		}
		return p.weakenCheck(ctx, tx, d.InteractionID, d.IdentityCheck)
	case domain.MessageSent:
		attachments, err := attachmentsJSON(d.Attachments)
		if err != nil {
			return err
		}
		return p.addMessage(ctx, tx, e, d.InteractionID, d.MessageID, DirectionOut, d.AgentID, d.Text, attachments, 0, d.At)
	case domain.CustomerErased:
		return p.erase(ctx, tx, d)
	}
	id, change := interactionChange(e)
	if change == nil {
		return nil
	}
	r, err := p.rows.get(ctx, tx, id)
	if err != nil || !r.live { // an interaction whose start was never seen
		return err
	}
	change(&r.val)
	p.rows.touch(id, r)
	return nil
}

// addMessage buffers a message of a known interaction; the messages of an
// interaction whose start was never seen have nowhere to go.
func (p *Interactions) addMessage(ctx context.Context, tx *Tx, e Event, interactionID, messageID, direction, agent, text, attachments string, sentAt int64, at time.Time) error {
	r, err := p.rows.get(ctx, tx, interactionID)
	if err != nil || !r.live {
		return err
	}
	p.messages.add(r.val.seq, int64(e.Position), messageID, direction, agent, text, attachments, sentAt, eventTime(at, e))
	return nil
}

// weakenCheck lowers an interaction's identity check to a message's when
// that is weaker (domain.IdentityCheck.Weaker): a thread begun by a
// verified mail shows "not verified" once an unverified one joins it.
func (p *Interactions) weakenCheck(ctx context.Context, tx *Tx, interactionID string, check domain.IdentityCheck) error {
	if check == domain.IdentityUnchecked {
		return nil
	}
	r, err := p.rows.get(ctx, tx, interactionID)
	if err != nil || !r.live {
		return err
	}
	cur := domain.IdentityCheck(r.val.identityCheck)
	if weaker := cur.Weaker(check); weaker != cur {
		r.val.identityCheck = string(weaker)
		p.rows.touch(interactionID, r)
	}
	return nil
}

// interactionChange returns the interaction an event changes and how.
func interactionChange(e Event) (string, func(*interactionRow)) {
	pos := int64(e.Position)
	switch d := e.Data.(type) {
	case domain.InteractionQueued:
		return d.InteractionID, func(r *interactionRow) {
			r.status, r.queue, r.priority, r.queued, r.agent = string(domain.InteractionStatusQueued), d.Queue, string(d.Priority), eventTime(d.At, e), ""
		}
	case domain.InteractionAssigned:
		return d.InteractionID, func(r *interactionRow) {
			r.status, r.agent, r.assigned = string(domain.InteractionStatusAssigned), d.AgentID, eventTime(d.At, e)
		}
	case domain.InteractionTransferred:
		return d.InteractionID, func(r *interactionRow) {
			if d.ToQueue != "" {
				r.status, r.queue, r.queued, r.agent = string(domain.InteractionStatusQueued), d.ToQueue, eventTime(d.At, e), ""
				return
			}
			r.status, r.agent, r.assigned = string(domain.InteractionStatusAssigned), d.ToAgentID, eventTime(d.At, e)
		}
	case domain.CallAnswered:
		return d.InteractionID, func(r *interactionRow) { r.answered, r.answeredPos, r.answeredBy = eventTime(d.At, e), pos, d.AgentID }
	case domain.CallEnded:
		return d.InteractionID, func(r *interactionRow) {
			r.callEnded, r.callEndedPos, r.endedBy, r.talkSeconds = eventTime(d.At, e), pos, d.EndedBy, d.TalkSeconds
		}
	case domain.WrapUpExpired:
		return d.InteractionID, func(r *interactionRow) { r.wrapUpExpired = eventTime(d.At, e) }
	case domain.InteractionAbandoned:
		return d.InteractionID, func(r *interactionRow) {
			r.status, r.disposition, r.summary = string(domain.InteractionStatusAbandoned), string(domain.DispositionAbandoned), d.Reason
			r.closed, r.closedPos = eventTime(d.At, e), pos
		}
	case domain.InteractionClosed:
		return d.InteractionID, func(r *interactionRow) {
			r.status, r.disposition, r.summary = string(domain.InteractionStatusClosed), string(d.Disposition), d.Summary
			r.closed, r.closedPos = eventTime(d.At, e), pos
		}
	case domain.CsatRecorded:
		return d.InteractionID, func(r *interactionRow) {
			r.csat, r.csatComment, r.csatAt, r.csatPos = d.Score, d.Comment, eventTime(d.At, e), pos
		}
	}
	return "", nil
}

func attachmentsJSON(a []domain.Attachment) (string, error) {
	if len(a) == 0 {
		return "", nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("attachments: %w", err)
	}
	return string(b), nil
}

// Interaction is one conversation on one channel, as the read model has it.
type Interaction struct {
	ID         string
	CustomerID string
	Channel    domain.Channel
	Identity   domain.Identity // the handle the customer came in with
	// IdentityCheck is how far the channel vouched for Identity.
	IdentityCheck domain.IdentityCheck
	Subject       string
	Status        domain.InteractionStatus
	Queue         string
	Priority      domain.Priority
	AgentID       string
	StartedAt     time.Time
	QueuedAt      time.Time
	AssignedAt    time.Time
	AnsweredAt    time.Time
	CallEndedAt   time.Time
	// WrapUpExpiredAt is when the call's wrap-up (after-call work) timed
	// out with the interaction still open (domain.WrapUpExpired); zero if
	// it did not.
	WrapUpExpiredAt time.Time
	ClosedAt        time.Time
	Disposition     domain.Disposition
	Summary         string // the agent's closing summary, or why it was abandoned
	Csat            int    // 1..5, 0 when none
	CsatComment     string
	MessageCount    int
	LastMessageAt   time.Time
}

// Message is one message of an interaction.
type Message struct {
	Position      uint64 // $all position: messages are in this order
	InteractionID string
	MessageID     string
	Direction     string // DirectionIn or DirectionOut
	AgentID       string // for DirectionOut
	Text          string
	Attachments   []domain.Attachment
	SentAt        time.Time // the customer's device time, zero if unknown
	At            time.Time
}

// InteractionPage is one page of interactions, newest first.
type InteractionPage struct {
	Interactions []Interaction
	EndCursor    string
	HasNextPage  bool
}

const interactionColumns = `i.id, i.customer_id, i.channel, i.identity_kind, i.identity_value, i.identity_check, i.subject, i.status, i.queue,
	i.priority, i.agent_id, i.started_at, i.queued_at, i.assigned_at, i.answered_at, i.call_ended_at, i.closed_at,
	i.disposition, i.summary, i.csat, i.csat_comment, i.wrap_up_expired_at,
	(SELECT COUNT(*) FROM messages m WHERE m.interaction_seq = i.seq),
	COALESCE((SELECT m.at FROM messages m WHERE m.interaction_seq = i.seq ORDER BY m.position DESC LIMIT 1), 0)`

// Interaction returns one interaction, or a domain ENOTFOUND error.
func (db *ReadDB) Interaction(ctx context.Context, id string) (Interaction, error) {
	r, err := db.reader(ctx)
	if err != nil {
		return Interaction{}, fmt.Errorf("interaction %s: %w", id, err)
	}
	list, err := scanInteractions(ctx, r, `SELECT `+interactionColumns+` FROM interactions i WHERE i.id = ?`, id)
	if err != nil {
		return Interaction{}, fmt.Errorf("interaction %s: %w", id, err)
	}
	if len(list) == 0 {
		return Interaction{}, domain.Errorf(domain.ENOTFOUND, "interaction %s not found", id)
	}
	return list[0], nil
}

func scanInteractions(ctx context.Context, q querier, query string, args ...any) ([]Interaction, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Interaction
	for rows.Next() {
		var i Interaction
		var t [8]int64
		if err := rows.Scan(&i.ID, &i.CustomerID, &i.Channel, &i.Identity.Kind, &i.Identity.Value, &i.IdentityCheck, &i.Subject, &i.Status, &i.Queue,
			&i.Priority, &i.AgentID, &t[0], &t[1], &t[2], &t[3], &t[4], &t[5],
			&i.Disposition, &i.Summary, &i.Csat, &i.CsatComment, &t[7], &i.MessageCount, &t[6]); err != nil {
			return nil, err
		}
		i.StartedAt, i.QueuedAt, i.AssignedAt, i.AnsweredAt = fromNanos(t[0]), fromNanos(t[1]), fromNanos(t[2]), fromNanos(t[3])
		i.CallEndedAt, i.ClosedAt, i.LastMessageAt = fromNanos(t[4]), fromNanos(t[5]), fromNanos(t[6])
		i.WrapUpExpiredAt = fromNanos(t[7])
		out = append(out, i)
	}
	return out, rows.Err()
}

// Messages returns an interaction's messages in order; none (and no error)
// for an unknown interaction.
func (db *ReadDB) Messages(ctx context.Context, interactionID string) ([]Message, error) {
	r, err := db.reader(ctx)
	if err != nil {
		return nil, fmt.Errorf("messages of %s: %w", interactionID, err)
	}
	rows, err := r.QueryContext(ctx, `SELECT m.position, m.message_id, m.direction, m.agent_id, m.text, m.attachments, m.sent_at, m.at
		FROM interactions i JOIN messages m ON m.interaction_seq = i.seq WHERE i.id = ? ORDER BY m.position`, interactionID)
	if err != nil {
		return nil, fmt.Errorf("messages of %s: %w", interactionID, err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("messages of %s: %w", interactionID, err)
		}
		m.InteractionID = interactionID
		out = append(out, m)
	}
	return out, rows.Err()
}

func scanMessage(rows *sql.Rows) (Message, error) {
	var m Message
	var attachments string
	var sent, at int64
	if err := rows.Scan(&m.Position, &m.MessageID, &m.Direction, &m.AgentID, &m.Text, &attachments, &sent, &at); err != nil {
		return m, err
	}
	m.SentAt, m.At = fromNanos(sent), fromNanos(at)
	var err error
	if m.Attachments, err = parseAttachments(attachments); err != nil {
		return m, fmt.Errorf("attachments of message %d: %w", m.Position, err)
	}
	return m, nil
}

// parseAttachments reads an attachments column: JSON, or ” for none.
func parseAttachments(column string) ([]domain.Attachment, error) {
	if column == "" {
		return nil, nil
	}
	var as []domain.Attachment
	if err := json.Unmarshal([]byte(column), &as); err != nil {
		return nil, err
	}
	return as, nil
}

// CustomerInteractions returns a page of a customer's interactions (those
// of customers merged into it included), newest first.
func (db *ReadDB) CustomerInteractions(ctx context.Context, customerID string, first int, after string) (InteractionPage, error) {
	var page InteractionPage
	cur, hasCursor, err := decodeCursor(after, "interactions")
	if err != nil {
		return page, err
	}
	n := pageSize(first)
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		group, err := customerGroup(ctx, tx, customerID)
		if err != nil {
			return err
		}
		query := `SELECT ` + interactionColumns + ` FROM interactions i WHERE i.customer_id IN (` + placeholders(len(group)) + `)`
		args := anys(group)
		if hasCursor {
			query += ` AND (i.started_at, i.id) < (?, ?)`
			args = append(args, cur.Num, cur.ID)
		}
		query += ` ORDER BY i.started_at DESC, i.id DESC LIMIT ?`
		page.Interactions, err = scanInteractions(ctx, tx, query, append(args, n+1)...)
		return err
	})
	if err != nil {
		return InteractionPage{}, fmt.Errorf("interactions of %s: %w", customerID, err)
	}
	if len(page.Interactions) > n {
		page.Interactions, page.HasNextPage = page.Interactions[:n], true
	}
	if k := len(page.Interactions); k > 0 {
		last := page.Interactions[k-1]
		page.EndCursor = cursor{Kind: "interactions", Num: nanos(last.StartedAt), ID: last.ID}.encode()
	}
	return page, nil
}
