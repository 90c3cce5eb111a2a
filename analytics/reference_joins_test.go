package analytics

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// The reports that relate contacts to each other, and the backlog, as
// they were computed before the sink kept tables shaped for them: by
// joining fact_interactions with itself and by reading fact_events. The
// tests hold the catalogue to them.

// ReferenceReport runs req the old way, for the reports that had one.
func ReferenceReport(ctx context.Context, b Backend, req Request) (Table, error) {
	run, ok := map[string]func(context.Context, *query) (Table, error){
		"fcr": refFcr, "repeat_contact_rate": refRepeats, "cross_channel_journeys": refJourneys, "backlog": refBacklog,
	}[req.Name]
	if !ok {
		return Table{}, fmt.Errorf("no reference for %s", req.Name)
	}
	i := slices.IndexFunc(catalogue, func(r report) bool { return r.def.Name == req.Name })
	q, err := newQuery(b, catalogue[i].def, req)
	if err != nil {
		return Table{}, err
	}
	t, err := run(ctx, q)
	if t.Rows == nil {
		t.Rows = [][]any{}
	}
	return t, err
}

var refFcr = func(ctx context.Context, q *query) (Table, error) {
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
}

var refRepeats = func(ctx context.Context, q *query) (Table, error) {
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

const unresolvedSQL = " AND resolved = 0 AND (status = 'CLOSED' OR status = 'ABANDONED')"

func refJourneys(ctx context.Context, q *query) (Table, error) {
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
	rows, err := q.runGrouped(ctx, dims, []string{q.d.CountDistinctIf("id1", "1 = 1"), q.d.CountDistinctIf("customer_key", "1 = 1")}, from, args)
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

var refBacklogMeasures = []string{
	"sum(CASE WHEN type = 'TicketOpened' THEN 1 ELSE 0 END)",
	"sum(CASE WHEN type = 'TicketReopened' THEN 1 ELSE 0 END)",
	"sum(CASE WHEN type = 'TicketResolved' THEN 1 ELSE 0 END)",
}

func refBacklog(ctx context.Context, q *query) (Table, error) {
	return backlogFrom(ctx, q, "FROM fact_events"+q.d.Final()+" WHERE stream_category = 'ticket' AND type IN ('TicketOpened', 'TicketReopened', 'TicketResolved') AND ", refBacklogMeasures)
}
