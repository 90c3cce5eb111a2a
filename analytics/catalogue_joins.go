package analytics

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Reports that relate contacts to each other (the same customer's other
// contacts) or accumulate over time. They read tables shaped for them, so
// each is one aggregation over one table, without FINAL on a large table
// or a join: the link columns of fact_interactions (the customer's
// previous and next contacts, see contacts.go) and fact_ticket_transitions.
// ClickHouse 18.16 has no window functions: running totals are summed in
// Go.

var daysOption = Option{Name: "days", Default: "7", Description: "the repeat window N, in days"}

var fcrReport = report{
	def: Definition{
		Name: "fcr", Title: "First contact resolution",
		Description:    "Share of handled contacts (closed after being answered) after which the same customer (same pseudonymous customer key) did not contact us again, on any channel, within N days (option days, default 7). " + interactionPeriod,
		GroupBy:        groupsOf(interactionDims),
		DefaultGroupBy: []string{"channel"},
		Filters:        allFilters,
		Options:        []Option{daysOption},
		Columns:        []Column{{"handled", "int"}, {"repeated", "int"}, {"fcr", "float"}},
	},
	run: aggSpec{
		table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
		where: sql(" AND handled = 1"),
		measures: func(q *query, args *[]any) []string {
			return []string{"count()", "sum(CASE WHEN " + repeatedSQL(q, args) + " THEN 1 ELSE 0 END)"}
		},
		derive: func(_ *query, m []int64) []any { return fcrOf(m[0], m[1]) },
	}.run,
}

// repeatedSQL is the fcr report's condition for a repeated contact (to be
// counted among handled ones): the customer's next contact, which started
// strictly after it, started at most N days (option days) after it. It
// adds the window to args.
func repeatedSQL(q *query, args *[]any) string {
	*args = append(*args, q.optionMs("days", 24*time.Hour))
	return "next_started_at > 0 AND next_started_at - started_at <= ?"
}

// fcrOf is the fcr report's columns (handled, repeated, fcr) from the
// handled contacts and how many of them were repeated.
func fcrOf(handled, repeated int64) []any {
	return []any{handled, repeated, ratio(handled-repeated, handled)}
}

var repeatContactRate = report{
	def: Definition{
		Name: "repeat_contact_rate", Title: "Repeat contact rate",
		Description:    "Share of contacts that are repeats: the same customer had contacted us, on any channel, within the N days before (option days, default 7). " + interactionPeriod,
		GroupBy:        groupsOf(interactionDims),
		DefaultGroupBy: []string{"channel"},
		Filters:        allFilters,
		Options:        []Option{daysOption},
		Columns:        []Column{{"contacts", "int"}, {"repeat_contacts", "int"}, {"repeat_contact_rate", "float"}},
	},
	// A contact is a repeat when the customer's previous contact, which
	// started strictly before it, started at most N days before it.
	run: aggSpec{
		table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
		measures: func(q *query, args *[]any) []string {
			*args = append(*args, q.optionMs("days", 24*time.Hour))
			return []string{"count()", "sum(CASE WHEN prev_started_at > 0 AND started_at - prev_started_at <= ? THEN 1 ELSE 0 END)"}
		},
		derive: func(_ *query, m []int64) []any { return []any{m[0], m[1], ratio(m[1], m[0])} },
	}.run,
}

var crossChannelJourneys = report{
	def: Definition{
		Name: "cross_channel_journeys", Title: "Cross-channel journeys",
		Description: "Customers who switched channel before their issue was resolved: contacts that ended unresolved (abandoned, or closed with a disposition other than RESOLVED) and were followed within N days (option days, default 7) by a contact of the same customer on another channel. " +
			"One row per (from_channel, to_channel): journeys (unresolved contacts followed on to_channel), distinct customers, and the share of from_channel's unresolved contacts. Filters apply to the first contact. " + interactionPeriod,
		GroupBy:        []string{"from_channel", "to_channel"},
		DefaultGroupBy: []string{"from_channel", "to_channel"},
		Filters:        allFilters,
		Options:        []Option{daysOption},
		Columns:        []Column{{"journeys", "int"}, {"customers", "int"}, {"share_of_unresolved", "float"}},
	},
	run: runJourneys,
}

// runJourneys counts, per channel of the unresolved contacts, how many
// had a contact of the same customer on each channel within the window
// (the next contact on that channel, which started strictly after,
// started at most N days after), and their distinct customers: one
// aggregation, then a row per (from_channel, to_channel) with journeys,
// other than staying on the same channel.
func runJourneys(ctx context.Context, q *query) (Table, error) {
	window := q.optionMs("days", 24*time.Hour)
	var args []any
	measures := []string{"count()"}
	for _, ch := range domain.Channels {
		col := NextOnColumn(ch)
		followed := col + " > 0 AND " + col + " - started_at <= ?"
		measures = append(measures, "sum(CASE WHEN "+followed+" THEN 1 ELSE 0 END)", q.d.CountDistinctIf("customer_key", followed))
		args = append(args, window, window)
	}
	from := "FROM fact_interactions" + q.d.Final() + " WHERE started_at >= ? AND started_at < ? AND unresolved = 1"
	args = append(args, q.from, q.to)
	from += q.filterSQL(interactionFilters, &args)
	rows, err := q.runGrouped(ctx, []dim{{name: "channel", expr: "channel"}}, measures, from, args)
	if err != nil {
		return Table{}, err
	}
	dims := []dim{{name: "from_channel"}, {name: "to_channel"}}
	t := Table{Report: q.def.Name, Columns: append(q.groupColumns(dims), q.def.Columns...)}
	for _, r := range rows {
		unresolved := r.measures[0]
		for i, ch := range domain.Channels {
			journeys, customers := r.measures[1+2*i], r.measures[2+2*i]
			if journeys > 0 && string(ch) != r.groups[0] {
				t.Rows = append(t.Rows, []any{r.groups[0], string(ch), journeys, customers, ratio(journeys, unresolved)})
			}
		}
	}
	slices.SortStableFunc(t.Rows, func(a, b []any) int {
		return cmp.Or(strings.Compare(a[0].(string), b[0].(string)), strings.Compare(a[1].(string), b[1].(string)))
	})
	return t, nil
}

var backlogReport = report{
	def: Definition{
		Name: "backlog", Title: "Ticket backlog over time",
		Description:    "Open tickets at the end of each hour, day, week or month of the period (a ticket is open from TicketOpened or TicketReopened until TicketResolved), with the tickets opened, reopened and resolved in it. Every bucket of the period is listed, empty or not.",
		GroupBy:        TimeUnits,
		DefaultGroupBy: []string{"day"},
		Columns:        []Column{{"opened", "int"}, {"reopened", "int"}, {"resolved", "int"}, {"backlog", "int"}},
	},
	run: runBacklog,
}

var backlogMeasures = []string{"sum(opened)", "sum(reopened)", "sum(resolved)"}

func runBacklog(ctx context.Context, q *query) (Table, error) {
	return backlogFrom(ctx, q, "FROM "+TicketTransitionsTable.Name+q.d.Final()+" WHERE ", backlogMeasures)
}

// backlogFrom runs the backlog over the rows of base (a FROM clause and
// the start of a WHERE that a condition on at completes), whose measures
// count the tickets opened, reopened and resolved: the tickets open before
// the period, then the running total through each bucket.
func backlogFrom(ctx context.Context, q *query, base string, measures []string) (Table, error) {
	unit := "day"
	if len(q.groups) == 1 {
		unit = q.groups[0]
	}
	before, err := q.runGrouped(ctx, nil, measures, base+"at < ?", []any{q.from})
	if err != nil {
		return Table{}, err
	}
	dims := []dim{{name: unit, expr: q.d.Bucket(unit, "at", q.tz), time: true}}
	rows, err := q.runGrouped(ctx, dims, measures, base+"at >= ? AND at < ?", []any{q.from, q.to})
	if err != nil {
		return Table{}, err
	}
	byBucket := map[int64][]int64{}
	for _, r := range rows {
		byBucket[r.groups[0].(time.Time).Unix()] = r.measures
	}
	open := int64(0)
	if len(before) == 1 {
		m := before[0].measures
		open = m[0] + m[1] - m[2]
	}
	t := Table{Report: q.def.Name, Columns: append(q.groupColumns(dims), q.def.Columns...)}
	end := time.UnixMilli(q.to)
	for b := BucketStart(time.UnixMilli(q.from), unit, q.loc); b.Before(end); b = nextBucket(b, unit, q.loc) {
		m := byBucket[b.Unix()]
		if m == nil {
			m = []int64{0, 0, 0}
		}
		open += m[0] + m[1] - m[2]
		t.Rows = append(t.Rows, []any{b, m[0], m[1], m[2], open})
	}
	return t, nil
}
