package analytics

import (
	"context"
	"slices"
	"time"
)

// Reports that relate contacts to each other (the same customer's other
// contacts) or accumulate over time. ClickHouse 18.16 has no window
// functions, so "another contact within N days" is a self-join on the
// customer key with the time condition after it, and running totals are
// summed in Go.

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
	run: func(ctx context.Context, q *query) (Table, error) {
		window := q.optionMs("days", 24*time.Hour)
		var args []any
		repeats := "SELECT id1 FROM (SELECT interaction_id AS id1, customer_key, started_at AS s1 FROM fact_interactions" + q.d.Final() +
			" WHERE started_at >= ? AND started_at < ? AND handled = 1) " + q.d.InnerJoin() +
			" (SELECT customer_key, started_at AS s2 FROM fact_interactions" + q.d.Final() +
			" WHERE started_at > ? AND started_at <= ?) USING (customer_key) WHERE s2 > s1 AND s2 <= s1 + ?"
		args = append(args, q.from, q.to, q.from, q.to+window, window)
		measures := []string{"count()", "sum(CASE WHEN interaction_id IN (" + repeats + ") THEN 1 ELSE 0 END)"}
		return runInteractionJoin(ctx, q, measures, args, " AND handled = 1", func(m []int64) []any {
			return []any{m[0], m[1], ratio(m[0]-m[1], m[0])}
		})
	},
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
	run: func(ctx context.Context, q *query) (Table, error) {
		window := q.optionMs("days", 24*time.Hour)
		var args []any
		repeats := "SELECT id1 FROM (SELECT interaction_id AS id1, customer_key, started_at AS s1 FROM fact_interactions" + q.d.Final() +
			" WHERE started_at >= ? AND started_at < ?) " + q.d.InnerJoin() +
			" (SELECT customer_key, started_at AS s2 FROM fact_interactions" + q.d.Final() +
			" WHERE started_at >= ? AND started_at < ?) USING (customer_key) WHERE s2 < s1 AND s2 >= s1 - ?"
		args = append(args, q.from, q.to, q.from-window, q.to, window)
		measures := []string{"count()", "sum(CASE WHEN interaction_id IN (" + repeats + ") THEN 1 ELSE 0 END)"}
		return runInteractionJoin(ctx, q, measures, args, "", func(m []int64) []any {
			return []any{m[0], m[1], ratio(m[1], m[0])}
		})
	},
}

// runInteractionJoin groups fact_interactions over the period with
// measures that hold a sub-query (whose args come first: the select list
// precedes the WHERE clause).
func runInteractionJoin(ctx context.Context, q *query, measures []string, args []any, where string, derive func([]int64) []any) (Table, error) {
	dims := q.dims(interactionDims, "started_at")
	from := "FROM fact_interactions" + q.d.Final() + " WHERE started_at >= ? AND started_at < ?" + where
	args = append(args, q.from, q.to)
	from += q.filterSQL(interactionFilters, &args)
	rows, err := q.runGrouped(ctx, dims, measures, from, args)
	if err != nil {
		return Table{}, err
	}
	t := Table{Report: q.def.Name, Columns: append(q.groupColumns(dims), q.def.Columns...)}
	for _, r := range rows {
		t.Rows = append(t.Rows, append(slices.Clone(r.groups), derive(r.measures)...))
	}
	return t, nil
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

const unresolvedSQL = " AND resolved = 0 AND (status = 'CLOSED' OR status = 'ABANDONED')"

func runJourneys(ctx context.Context, q *query) (Table, error) {
	window := q.optionMs("days", 24*time.Hour)
	var args []any
	first := "SELECT interaction_id AS id1, customer_key, started_at AS s1, channel AS c1 FROM fact_interactions" + q.d.Final() +
		" WHERE started_at >= ? AND started_at < ?" + unresolvedSQL
	args = append(args, q.from, q.to)
	first += q.filterSQL(interactionFilters, &args)
	from := "FROM (" + first + ") " + q.d.InnerJoin() +
		" (SELECT customer_key, started_at AS s2, channel AS c2 FROM fact_interactions" + q.d.Final() +
		" WHERE started_at > ? AND started_at <= ?) USING (customer_key) WHERE s2 > s1 AND s2 <= s1 + ? AND c2 <> c1"
	args = append(args, q.from, q.to+window, window)
	dims := []dim{{name: "from_channel", expr: "c1"}, {name: "to_channel", expr: "c2"}}
	rows, err := q.runGrouped(ctx, dims, []string{q.d.CountDistinct("id1"), q.d.CountDistinct("customer_key")}, from, args)
	if err != nil {
		return Table{}, err
	}
	unresolved, err := unresolvedByChannel(ctx, q)
	if err != nil {
		return Table{}, err
	}
	t := Table{Report: q.def.Name, Columns: append(q.groupColumns(dims), q.def.Columns...)}
	for _, r := range rows {
		den := unresolved[r.groups[0].(string)]
		t.Rows = append(t.Rows, []any{r.groups[0], r.groups[1], r.measures[0], r.measures[1], ratio(r.measures[0], den)})
	}
	return t, nil
}

func unresolvedByChannel(ctx context.Context, q *query) (map[string]int64, error) {
	args := []any{q.from, q.to}
	from := "FROM fact_interactions" + q.d.Final() + " WHERE started_at >= ? AND started_at < ?" + unresolvedSQL
	from += q.filterSQL(interactionFilters, &args)
	rows, err := q.runGrouped(ctx, []dim{{name: "channel", expr: "channel"}}, []string{"count()"}, from, args)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.groups[0].(string)] = r.measures[0]
	}
	return out, nil
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

var backlogMeasures = []string{
	"sum(CASE WHEN type = 'TicketOpened' THEN 1 ELSE 0 END)",
	"sum(CASE WHEN type = 'TicketReopened' THEN 1 ELSE 0 END)",
	"sum(CASE WHEN type = 'TicketResolved' THEN 1 ELSE 0 END)",
}

func runBacklog(ctx context.Context, q *query) (Table, error) {
	unit := "day"
	if len(q.groups) == 1 {
		unit = q.groups[0]
	}
	base := "FROM fact_events" + q.d.Final() + " WHERE stream_category = 'ticket' AND type IN ('TicketOpened', 'TicketReopened', 'TicketResolved')"
	before, err := q.runGrouped(ctx, nil, backlogMeasures, base+" AND at < ?", []any{q.from})
	if err != nil {
		return Table{}, err
	}
	dims := []dim{{name: unit, expr: q.d.Bucket(unit, "at", q.tz), time: true}}
	rows, err := q.runGrouped(ctx, dims, backlogMeasures, base+" AND at >= ? AND at < ?", []any{q.from, q.to})
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
