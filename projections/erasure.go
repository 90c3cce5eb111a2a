package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/interactionledger/ledger/domain"
)

// Erasure (crypto-shredding, see domain.CustomerErased). Once a customer's
// data keys are destroyed, every personal field (domain.MapPersonal) of
// their events reads as domain.ErasedText; a read model rebuilt from the
// log then holds "[erased]" wherever it copied one. CustomerErased makes a
// read model built incrementally hold the same: at the event, each
// projection overwrites with "[erased]" the personal columns of the rows
// of the erased customers (the customer and the customers merged into it,
// Sources), leaving empty ones empty, as MapPersonal does; and the identity
// index forgets their identities, which were released for reuse. No row
// that a report counts goes: interactions, messages and tickets stay, only
// their text changes. Columns that are not personal by MapPersonal (ids,
// times, enums, agents, queue names, tags, the reason an abandonment
// records, which the system writes) are left alone, so a rebuild and the
// incremental read model stay equal.
//
// The rows are found by the customer indexes, which a rebuild creates only
// after loading: an erasure creates the ones it needs if they are not there
// yet (sqlSchema.ensureIndexes), rather than scan whole tables for every
// erasure in the log. Every projection that caches rows (rowCache,
// boundedMap) drops those of the erased customers, so that no later write
// puts an old value back. The read database's secure_delete zeroes the old
// bytes in the file, and the Runner checkpoints the WAL, which still holds
// them, away after the batch (truncateWAL in batch.go).

// erasedCustomers returns the customers an erasure covers: the customer and
// its sources, without repeats or empty ids.
func erasedCustomers(d domain.CustomerErased) []string {
	ids := make([]string, 0, 1+len(d.Sources))
	seen := make(map[string]bool, 1+len(d.Sources))
	for _, id := range append([]string{d.CustomerID}, d.Sources...) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// erasedList is the customers an erasure covers as one JSON array
// argument, for inIDList.
func erasedList(d domain.CustomerErased) (ids []string, list string, err error) {
	ids = erasedCustomers(d)
	list, err = idList(ids)
	return ids, list, err
}

// isErased reports whether a personal value was erased: a rebuild reads
// the values of an erased customer's events so.
func isErased(value string) bool { return value == domain.ErasedText }

// erasedIn is a set of customer ids, for dropping cache entries: it is
// asked about every cached row (tens of thousands in a rebuild), and an
// erasure names one customer or a few.
func erasedIn(ids []string) func(string) bool {
	if len(ids) == 1 {
		return func(id string) bool { return id == ids[0] }
	}
	return func(id string) bool { return slices.Contains(ids, id) }
}

// Erasure statements: ?1 is domain.ErasedText, ?2 the JSON array of the
// erased customers' ids. Each touches only rows with something left to
// erase, so an erasure replayed by a rebuild (whose values already read
// "[erased]") writes nothing.
const (
	sqlEraseIdentities = `DELETE FROM identities WHERE customer_id ` + inIDList
	sqlEraseCustomers  = `UPDATE customers SET display_name = ?1, name_key = ?3
		WHERE id IN (SELECT value FROM json_each(?2)) AND display_name NOT IN ('', ?1)`
	sqlEraseTimelineRows = `SELECT position, kind, summary FROM timeline
		WHERE customer_id IN (SELECT value FROM json_each(?1)) AND kind IN (?2, ?3, ?4) AND summary != ''`
	sqlEraseTimelineRow = `UPDATE timeline SET summary = ? WHERE position = ?`
	// The summary of an abandoned interaction is the reason the system
	// gave, not personal (see domain.MapPersonal).
	sqlEraseInteractions = `UPDATE interactions SET
			identity_value = CASE identity_value WHEN '' THEN '' ELSE ?1 END,
			subject = CASE subject WHEN '' THEN '' ELSE ?1 END,
			summary = CASE WHEN summary = '' OR status = 'ABANDONED' THEN summary ELSE ?1 END,
			csat_comment = CASE csat_comment WHEN '' THEN '' ELSE ?1 END
		WHERE customer_id IN (SELECT value FROM json_each(?2))
			AND (identity_value NOT IN ('', ?1) OR subject NOT IN ('', ?1) OR csat_comment NOT IN ('', ?1)
				OR summary NOT IN ('', ?1) AND status != 'ABANDONED')`
	sqlEraseMessages = `UPDATE messages SET text = ?1
		WHERE interaction_seq IN (SELECT seq FROM interactions WHERE customer_id IN (SELECT value FROM json_each(?2)))
			AND text NOT IN ('', ?1)`
	sqlEraseAttachmentRows = `SELECT interaction_seq, position, attachments FROM messages
		WHERE interaction_seq IN (SELECT seq FROM interactions WHERE customer_id IN (SELECT value FROM json_each(?1)))
			AND attachments != ''`
	sqlEraseAttachmentRow = `UPDATE messages SET attachments = ? WHERE interaction_seq = ? AND position = ?`
	sqlEraseTickets       = `UPDATE tickets SET
			subject = CASE subject WHEN '' THEN '' ELSE ?1 END,
			description = CASE description WHEN '' THEN '' ELSE ?1 END,
			resolution = CASE resolution WHEN '' THEN '' ELSE ?1 END
		WHERE customer_id IN (SELECT value FROM json_each(?2))
			AND (subject NOT IN ('', ?1) OR description NOT IN ('', ?1) OR resolution NOT IN ('', ?1))`
	sqlEraseTicketNotes = `UPDATE ticket_notes SET text = ?1
		WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id IN (SELECT value FROM json_each(?2)))
			AND text NOT IN ('', ?1)`
	sqlEraseNoteAttachmentRows = `SELECT position, position, attachments FROM ticket_notes
		WHERE ticket_id IN (SELECT id FROM tickets WHERE customer_id IN (SELECT value FROM json_each(?1)))
			AND attachments != ''`
	sqlEraseNoteAttachmentRow = `UPDATE ticket_notes SET attachments = ? WHERE position = ? AND position = ?`
)

// erase forgets the identities of the erased customers.
func (p *IdentityIndex) erase(ctx context.Context, tx *Tx, d domain.CustomerErased) error {
	ids, list, err := erasedList(d)
	if err != nil {
		return err
	}
	if err := p.ensureIndexes(ctx, tx, "identities_customer"); err != nil {
		return err
	}
	// Write what the batch changed first: a buffered row of theirs would
	// otherwise be written after the DELETE.
	if err := p.rows.flush(ctx, tx); err != nil {
		return err
	}
	if err := tx.Exec(ctx, sqlEraseIdentities, list); err != nil {
		return fmt.Errorf("erase identities: %w", err)
	}
	erased := erasedIn(ids)
	return p.rows.forget(func(o *identityOwner) bool { return erased(o.customer) })
}

// erase erases the customers' display names, the summaries of their
// ticket entries (the ticket's subject, resolution or reopening reason)
// and the attribute values of their business facts.
func (p *Customer360) erase(ctx context.Context, tx *Tx, d domain.CustomerErased) error {
	ids, list, err := erasedList(d)
	if err != nil {
		return err
	}
	if err := p.Flush(ctx, tx); err != nil { // the batch's timeline rows
		return err
	}
	if err := p.ensureIndexes(ctx, tx, "timeline_customer"); err != nil {
		return err
	}
	if err := tx.Exec(ctx, sqlEraseCustomers, domain.ErasedText, list, nameKey(domain.ErasedText)); err != nil {
		return fmt.Errorf("erase customers: %w", err)
	}
	if err := p.eraseTimeline(ctx, tx, list); err != nil {
		return err
	}
	if err := eraseFacts(ctx, tx, list); err != nil {
		return err
	}
	erased := erasedIn(ids)
	p.tickets.deleteFunc(func(_, customer string) bool { return erased(customer) })
	return nil
}

func (p *Customer360) eraseTimeline(ctx context.Context, tx *Tx, list string) error {
	rows, err := tx.QueryContext(ctx, sqlEraseTimelineRows, list,
		string(TimelineTicketOpened), string(TimelineTicketResolved), string(TimelineTicketReopened))
	if err != nil {
		return fmt.Errorf("erase timeline: %w", err)
	}
	type change struct {
		position int64
		summary  string
	}
	var changes []change
	for rows.Next() {
		var pos int64
		var kind TimelineKind
		var summary string
		if err := rows.Scan(&pos, &kind, &summary); err != nil {
			rows.Close()
			return fmt.Errorf("erase timeline: %w", err)
		}
		if s := erasedTicketSummary(kind, summary); s != summary {
			changes = append(changes, change{pos, s})
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("erase timeline: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("erase timeline: %w", err)
	}
	for _, c := range changes {
		if err := tx.Exec(ctx, sqlEraseTimelineRow, c.summary, c.position); err != nil {
			return fmt.Errorf("erase timeline: %w", err)
		}
	}
	return nil
}

// erasedTicketSummary is the summary of a ticket entry (non-empty) as
// applyTicketTimeline writes it from the event with its personal fields
// erased: "#<number> [erased]" for an opening with a subject (a ticket
// number has no white space), "[erased]" for a resolution or a reopening's
// reason.
func erasedTicketSummary(kind TimelineKind, summary string) string {
	switch kind {
	case TimelineTicketOpened:
		rest, ok := strings.CutPrefix(summary, "#")
		if !ok {
			return domain.ErasedText // not written by applyTicketTimeline: erase it all
		}
		number, subject, _ := strings.Cut(rest, " ")
		if subject == "" {
			return summary // no subject: nothing personal
		}
		return excerpt("#"+number+" "+domain.ErasedText, SummaryRunes)
	case TimelineTicketResolved, TimelineTicketReopened:
		return excerpt(domain.ErasedText, SummaryRunes)
	}
	return summary
}

// erase erases the personal columns of the customers' interactions (the
// identity they came in with, subject, closing summary, CSAT comment) and
// of their messages (text, attachment names).
func (p *Interactions) erase(ctx context.Context, tx *Tx, d domain.CustomerErased) error {
	ids, list, err := erasedList(d)
	if err != nil {
		return err
	}
	if err := p.Flush(ctx, tx); err != nil { // the batch's rows and messages
		return err
	}
	if err := p.ensureIndexes(ctx, tx, "interactions_customer"); err != nil {
		return err
	}
	if err := tx.Exec(ctx, sqlEraseInteractions, domain.ErasedText, list); err != nil {
		return fmt.Errorf("erase interactions: %w", err)
	}
	if err := tx.Exec(ctx, sqlEraseMessages, domain.ErasedText, list); err != nil {
		return fmt.Errorf("erase messages: %w", err)
	}
	if err := eraseAttachments(ctx, tx, list); err != nil {
		return err
	}
	// Cached rows hold the old values, and a later change of the
	// interaction would write them back.
	erased := erasedIn(ids)
	return p.rows.forget(func(r *interactionRow) bool { return erased(r.customer) })
}

// eraseAttachments erases the names of the attachments of the customers'
// messages, keeping their type, size and digest.
func eraseAttachments(ctx context.Context, tx *Tx, list string) error {
	return eraseAttachmentColumn(ctx, tx, "messages", sqlEraseAttachmentRows, sqlEraseAttachmentRow, list)
}

// eraseAttachmentColumn erases the attachment names of the rows selectSQL
// finds for the customers in list: it selects (key, key, attachments) and
// update sets attachments by those keys.
func eraseAttachmentColumn(ctx context.Context, tx *Tx, what, selectSQL, update, list string) error {
	rows, err := tx.QueryContext(ctx, selectSQL, list)
	if err != nil {
		return fmt.Errorf("erase attachments of %s: %w", what, err)
	}
	type change struct {
		k1, k2      int64
		attachments string
	}
	var changes []change
	for rows.Next() {
		var c change
		var old string
		if err := rows.Scan(&c.k1, &c.k2, &old); err != nil {
			rows.Close()
			return fmt.Errorf("erase attachments of %s: %w", what, err)
		}
		as, changed, err := eraseAttachmentNames(old)
		if err != nil {
			rows.Close()
			return fmt.Errorf("erase attachments of %s %d: %w", what, c.k2, err)
		}
		if !changed {
			continue
		}
		c.attachments = as
		changes = append(changes, c)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("erase attachments of %s: %w", what, err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("erase attachments of %s: %w", what, err)
	}
	for _, c := range changes {
		if err := tx.Exec(ctx, update, c.attachments, c.k1, c.k2); err != nil {
			return fmt.Errorf("erase attachments of %s: %w", what, err)
		}
	}
	return nil
}

// eraseAttachmentNames returns the attachments JSON with every name
// erased, and whether any was not already.
func eraseAttachmentNames(old string) (string, bool, error) {
	var as []domain.Attachment
	if err := json.Unmarshal([]byte(old), &as); err != nil {
		return "", false, err
	}
	changed := false
	for i := range as {
		if as[i].Name != "" && !isErased(as[i].Name) {
			as[i].Name, changed = domain.ErasedText, true
		}
	}
	if !changed {
		return old, false, nil
	}
	out, err := attachmentsJSON(as)
	return out, true, err
}

// erase erases the personal columns of the customers' tickets (subject,
// description, resolution) and their notes' text and attachment names. The reasons of status,
// priority and reopening changes are not stored.
func (p *Tickets) erase(ctx context.Context, tx *Tx, d domain.CustomerErased) error {
	list, err := idList(erasedCustomers(d))
	if err != nil {
		return err
	}
	if err := p.ensureIndexes(ctx, tx, "tickets_customer", "ticket_notes_ticket"); err != nil {
		return err
	}
	if err := tx.Exec(ctx, sqlEraseTickets, domain.ErasedText, list); err != nil {
		return fmt.Errorf("erase tickets: %w", err)
	}
	if err := tx.Exec(ctx, sqlEraseTicketNotes, domain.ErasedText, list); err != nil {
		return fmt.Errorf("erase ticket notes: %w", err)
	}
	return eraseAttachmentColumn(ctx, tx, "ticket notes", sqlEraseNoteAttachmentRows, sqlEraseNoteAttachmentRow, list)
}
