package analytics

import (
	"context"
	"slices"
	"time"
)

// report is one entry of the catalogue.
type report struct {
	def Definition
	run func(ctx context.Context, q *query) (Table, error)
}

// Dimensions of the fact tables, by the names requests use.
var (
	interactionDims    = map[string]string{"channel": "channel", "queue": "queue", "agent": "agent_id", "priority": "priority", "disposition": "disposition"}
	interactionFilters = map[string]string{"channel": "channel", "queue": "queue", "agent": "agent_id"}
	ticketDims         = map[string]string{"category": "category", "priority": "priority", "business_domain": "business_domain", "channel": "channel", "queue": "queue", "agent": "assignee", "status": "status"}
	ticketFilters      = map[string]string{"channel": "channel", "queue": "queue", "agent": "assignee"}
	qaDims             = map[string]string{"agent": "agent_id", "team": "team", "channel": "channel", "queue": "queue", "scorecard": "scorecard"}
	qaFilters          = map[string]string{"channel": "channel", "queue": "queue", "agent": "agent_id"}
)

var allFilters = []string{"channel", "queue", "agent"}

func groupsOf(dims map[string]string) []string {
	var out []string
	for k := range dims {
		out = append(out, k)
	}
	slices.Sort(out)
	return append(out, TimeUnits...)
}

// aggSpec is a report that groups one fact table over a period.
type aggSpec struct {
	table    *FactTable
	timeCol  string
	where    func(q *query, args *[]any) string // extra conditions, " AND ..."
	dims     map[string]string
	filters  map[string]string
	measures func(q *query, args *[]any) []string
	derive   func(q *query, m []int64) []any
}

func (a aggSpec) run(ctx context.Context, q *query) (Table, error) {
	dims := q.dims(a.dims, a.timeCol)
	var args []any
	measures := a.measures(q, &args)
	from := "FROM " + a.table.Name + q.d.Final() + " WHERE " + a.timeCol + " >= ? AND " + a.timeCol + " < ?"
	args = append(args, q.from, q.to)
	if a.where != nil {
		from += a.where(q, &args)
	}
	from += q.filterSQL(a.filters, &args)
	rows, err := q.runGrouped(ctx, dims, measures, from, args)
	if err != nil {
		return Table{}, err
	}
	t := Table{Report: q.def.Name, Columns: append(q.groupColumns(dims), q.def.Columns...)}
	for _, r := range rows {
		t.Rows = append(t.Rows, append(slices.Clone(r.groups), a.derive(q, r.measures)...))
	}
	return t, nil
}

func sql(s string) func(*query, *[]any) string { return func(*query, *[]any) string { return s } }

func fixed(ms ...string) func(*query, *[]any) []string {
	return func(*query, *[]any) []string { return ms }
}

// The catalogue, in the order `ledger report --list` prints it.
var catalogue = []report{
	channelVolume, serviceLevel, asaReport, ahtReport, abandonmentRate, fcrReport, repeatContactRate,
	csatReport, templateUsage, closingSummaries, qaByAgent, qaByTeam, slaBreaches, backlogReport, crossChannelJourneys, topCategories,
	businessFacts,
}

var interactionPeriod = "Interactions are counted in the period they started in (started_at in [from, to))."

var channelVolume = aggReport(Definition{
	Name: "channel_volume", Title: "Channel volume",
	Description:    "Contacts started per channel and hour or day, with the customer and agent messages they carried. " + interactionPeriod,
	DefaultGroupBy: []string{"channel", "day"},
	Columns:        []Column{{"interactions", "int"}, {"messages_in", "int"}, {"messages_out", "int"}},
}, aggSpec{
	table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
	measures: fixed("count()", "sum(messages_in)", "sum(messages_out)"),
	derive:   func(_ *query, m []int64) []any { return []any{m[0], m[1], m[2]} },
})

// answerThresholdSQL is the service-level threshold in ms: the option when
// given, else per channel.
func answerThresholdSQL(q *query, args *[]any) string {
	if v := q.optionMs("threshold_seconds", time.Second); v > 0 {
		*args = append(*args, v)
		return "?"
	}
	return "CASE channel WHEN 'PHONE' THEN 20000 WHEN 'EMAIL' THEN 86400000 WHEN 'SMS' THEN 3600000 ELSE 60000 END"
}

var serviceLevel = aggReport(Definition{
	Name: "service_level", Title: "Service level",
	Description: "Share of offered contacts (answered or abandoned) answered within the threshold: 20 s for phone, 60 s for chat, WeChat and app, 1 h for SMS, 24 h for email, or threshold_seconds for all. " +
		"Answer time is from entering the queue (or starting, if never queued) to the agent picking up a call or sending the first written reply. " + interactionPeriod,
	DefaultGroupBy: []string{"channel"},
	Options:        []Option{{Name: "threshold_seconds", Default: "0", Description: "one threshold for every channel (0: per channel)"}},
	Columns:        []Column{{"offered", "int"}, {"answered_within", "int"}, {"service_level", "float"}},
}, aggSpec{
	table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
	where: sql(" AND (answered_at > 0 OR abandoned = 1)"),
	measures: func(q *query, args *[]any) []string {
		return []string{"count()", "sum(CASE WHEN answered_at > 0 AND answered_at - arrived_at <= " + answerThresholdSQL(q, args) + " THEN 1 ELSE 0 END)"}
	},
	derive: func(_ *query, m []int64) []any { return []any{m[0], m[1], ratio(m[1], m[0])} },
})

var asaReport = aggReport(Definition{
	Name: "asa", Title: "Average speed of answer",
	Description:    "Mean time answered contacts waited from entering the queue (or starting) to the agent picking up a call or sending the first written reply, in seconds. " + interactionPeriod,
	DefaultGroupBy: []string{"channel"},
	Columns:        []Column{{"answered", "int"}, {"asa_seconds", "float"}},
}, aggSpec{
	table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
	where:    sql(" AND answered_at > 0"),
	measures: fixed("count()", "sum(answered_at - arrived_at)"),
	derive:   func(_ *query, m []int64) []any { return []any{m[0], seconds(m[1], m[0])} },
})

var ahtReport = aggReport(Definition{
	Name: "aht", Title: "Average handle time",
	Description:    "Mean time from answer to close (talk or conversation time plus wrap-up) of handled contacts (closed after being answered), in seconds. " + interactionPeriod,
	DefaultGroupBy: []string{"channel"},
	Columns:        []Column{{"handled", "int"}, {"aht_seconds", "float"}},
}, aggSpec{
	table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
	where:    sql(" AND handled = 1"),
	measures: fixed("count()", "sum(ended_at - answered_at)"),
	derive:   func(_ *query, m []int64) []any { return []any{m[0], seconds(m[1], m[0])} },
})

var abandonmentRate = aggReport(Definition{
	Name: "abandonment_rate", Title: "Abandonment rate",
	Description:    "Share of contacts the customer left before being served (InteractionAbandoned) among all contacts started. " + interactionPeriod,
	DefaultGroupBy: []string{"channel"},
	Columns:        []Column{{"offered", "int"}, {"abandoned", "int"}, {"abandonment_rate", "float"}},
}, aggSpec{
	table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
	measures: fixed("count()", "sum(abandoned)"),
	derive:   func(_ *query, m []int64) []any { return []any{m[0], m[1], ratio(m[1], m[0])} },
})

var csatReport = aggReport(Definition{
	Name: "csat", Title: "Customer satisfaction",
	Description:    "Satisfaction scores (1-5) customers gave: responses, mean score, and CSAT, the share of 4 and 5. " + interactionPeriod,
	DefaultGroupBy: []string{"channel"},
	Columns:        []Column{{"responses", "int"}, {"average_score", "float"}, {"csat", "float"}},
}, aggSpec{
	table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
	where:    sql(" AND csat > 0"),
	measures: fixed("count()", "sum(csat)", "sum(CASE WHEN csat >= 4 THEN 1 ELSE 0 END)"),
	derive:   func(_ *query, m []int64) []any { return csatOf(m[0], m[1], m[2]) },
})

// csatOf is the csat report's columns (responses, average_score, csat)
// from the responses (scores above 0), the sum of their scores and how
// many were 4 or 5.
func csatOf(responses, sum, satisfied int64) []any {
	return []any{responses, ratio(sum, responses), ratio(satisfied, responses)}
}

var qaColumns = []Column{{"scored", "int"}, {"average_score", "float"}, {"criteria_passed", "int"}, {"criteria_failed", "int"}, {"pass_rate", "float"}, {"overrides", "int"}}

func qaSpec() aggSpec {
	return aggSpec{
		table: QaTable, timeCol: "closed_at", dims: qaDims, filters: qaFilters,
		measures: fixed("count()", "sum(score)", "sum(passed)", "sum(failed)", "sum(overrides)"),
		derive: func(_ *query, m []int64) []any {
			return []any{m[0], ratio(m[1], m[0]) / 100, m[2], m[3], ratio(m[2], m[2]+m[3]), m[4]}
		},
	}
}

var qaPeriod = "Scores (0-100, the weighted share of applicable criteria passed, after supervisor overrides) count in the period the interaction closed in. "

var qaByAgent = aggReport(Definition{
	Name: "qa_by_agent", Title: "QA score by agent",
	Description:    qaPeriod + "Per agent: interactions scored, mean score, criteria passed and failed, pass rate and overrides.",
	DefaultGroupBy: []string{"agent"},
	Columns:        qaColumns,
}, qaSpec())

var qaByTeam = aggReport(Definition{
	Name: "qa_by_team", Title: "QA score by team",
	Description:    qaPeriod + "Per team (the agent's team when the interaction was scored), as qa_by_agent.",
	DefaultGroupBy: []string{"team"},
	Columns:        qaColumns,
}, qaSpec())

// slaTargetSQL is the resolution target of a ticket's priority, in ms.
const slaTargetSQL = "CASE priority WHEN 'CRITICAL' THEN 14400000 WHEN 'URGENT' THEN 86400000 ELSE 259200000 END"

var slaBreaches = aggReport(Definition{
	Name: "sla_breaches", Title: "SLA breaches",
	Description: "Tickets opened in the period against their resolution target by (current) priority: CRITICAL 4 h, URGENT 24 h, NORMAL 72 h. " +
		"A ticket breaches when its first resolution came later than the target, or when it was still unresolved at the end of the period and already past the target (open_past_due).",
	DefaultGroupBy: []string{"priority"},
	Columns:        []Column{{"tickets", "int"}, {"breached", "int"}, {"open_past_due", "int"}, {"breach_rate", "float"}},
}, aggSpec{
	table: TicketsTable, timeCol: "opened_at", dims: ticketDims, filters: ticketFilters,
	measures: func(q *query, args *[]any) []string {
		*args = append(*args, q.to, q.to, q.to, q.to, q.to)
		resolvedLate := "(first_resolved_at > 0 AND first_resolved_at <= ? AND first_resolved_at - opened_at > " + slaTargetSQL + ")"
		openLate := "((first_resolved_at = 0 OR first_resolved_at > ?) AND ? - opened_at > " + slaTargetSQL + ")"
		return []string{
			"count()",
			"sum(CASE WHEN " + resolvedLate + " OR " + openLate + " THEN 1 ELSE 0 END)",
			"sum(CASE WHEN (first_resolved_at = 0 OR first_resolved_at > ?) AND ? - opened_at > " + slaTargetSQL + " THEN 1 ELSE 0 END)",
		}
	},
	derive: func(_ *query, m []int64) []any { return []any{m[0], m[1], m[2], ratio(m[1], m[0])} },
})

var topCategories = report{
	def: Definition{
		Name: "top_categories", Title: "Top ticket categories",
		Description:    "Tickets opened in the period per category (or other ticket dimension), most first, with how many were resolved since and their share of all tickets listed; the first `limit` rows.",
		GroupBy:        groupsOf(ticketDims),
		DefaultGroupBy: []string{"category"},
		Filters:        allFilters,
		Options:        []Option{{Name: "limit", Default: "10", Description: "rows to return"}},
		Columns:        []Column{{"tickets", "int"}, {"resolved", "int"}, {"share", "float"}},
	},
	run: func(ctx context.Context, q *query) (Table, error) {
		spec := aggSpec{
			table: TicketsTable, timeCol: "opened_at", dims: ticketDims, filters: ticketFilters,
			measures: fixed("count()", "sum(CASE WHEN first_resolved_at > 0 THEN 1 ELSE 0 END)"),
			derive:   func(_ *query, m []int64) []any { return []any{m[0], m[1], 0.0} },
		}
		t, err := spec.run(ctx, q)
		if err != nil {
			return t, err
		}
		return rankTop(t, len(q.groups), int(q.options["limit"])), nil
	},
}

// businessFactDims are the dimensions of fact_business: none personal.
var businessFactDims = map[string]string{"kind": "kind", "source": "source", "tier": "tier"}

var businessFacts = aggReport(Definition{
	Name: "business_facts", Title: "Plans, orders and devices",
	Description:    "Business facts from CRMs and order systems (plans, orders, devices, contracts) whose current version was recorded in the period, per kind, source and plan tier (empty for facts without one), with the distinct customers holding them; no attribute or external id is kept for analytics.",
	DefaultGroupBy: []string{"kind", "tier"},
	Columns:        []Column{{"facts", "int"}, {"customers", "int"}},
}, aggSpec{
	table: BusinessFactsTable, timeCol: "recorded_at", dims: businessFactDims,
	measures: func(q *query, _ *[]any) []string {
		return []string{"count()", q.d.CountDistinctIf("customer_key", "customer_key != 0")}
	},
	derive: func(_ *query, m []int64) []any { return []any{m[0], m[1]} },
})

// rankTop sorts rows by their first measure (tickets), most first, fills in
// each row's share of the total and keeps the first limit rows.
func rankTop(t Table, groups, limit int) Table {
	total := int64(0)
	for _, r := range t.Rows {
		total += r[groups].(int64)
	}
	slices.SortStableFunc(t.Rows, func(a, b []any) int {
		x, y := a[groups].(int64), b[groups].(int64)
		switch {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return 0
	})
	for _, r := range t.Rows {
		r[groups+2] = ratio(r[groups].(int64), total)
	}
	if limit > 0 && len(t.Rows) > limit {
		t.Rows = t.Rows[:limit]
	}
	return t
}

// aggReport makes a catalogue entry of an aggSpec; the definition's
// groupings and filters follow from the spec's dimensions.
func aggReport(def Definition, spec aggSpec) report {
	def.GroupBy = groupsOf(spec.dims)
	for _, f := range allFilters {
		if _, ok := spec.filters[f]; ok {
			def.Filters = append(def.Filters, f)
		}
	}
	return report{def: def, run: spec.run}
}

// reporter answers report requests on a back end.
type reporter struct{ backend Backend }

// NewReporter returns the catalogue served from backend. Every report is
// computed by the same SQL on either back end (see Dialect), and ratios
// and averages are computed in Go from integer counts and sums, so both
// back ends give the same numbers.
func NewReporter(backend Backend) Reporter { return reporter{backend: backend} }

// Catalogue returns the definition of every report.
func Catalogue() []Definition {
	defs := make([]Definition, len(catalogue))
	for i, r := range catalogue {
		defs[i] = r.def
	}
	return defs
}

// Definitions implements Reporter.
func (reporter) Definitions() []Definition { return Catalogue() }

// Report implements Reporter. A request the catalogue refuses is a
// *RequestError (domain code EINVALID; errors.Is ErrUnknownReport for a
// name not in the catalogue); anything else is the back end's failure.
func (r reporter) Report(ctx context.Context, req Request) (Table, error) {
	i := slices.IndexFunc(catalogue, func(rep report) bool { return rep.def.Name == req.Name })
	if i < 0 {
		return Table{}, &RequestError{Report: req.Name, Reason: "unknown report (see the catalogue)", unknown: true}
	}
	q, err := newQuery(r.backend, catalogue[i].def, req)
	if err != nil {
		return Table{}, err
	}
	t, err := catalogue[i].run(ctx, q)
	if err != nil {
		return Table{}, err
	}
	if t.Rows == nil {
		t.Rows = [][]any{}
	}
	return t, nil
}
