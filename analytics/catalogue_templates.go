package analytics

import (
	"context"
	"slices"
	"sort"
	"strings"
)

// Reports on the agent desktop's writing aids: replies sent from reply
// templates, and drafted closing summaries.

// templateDims are template_usage's dimensions: the template and its
// version's category from fact_template_uses, the rest from the contact's
// row in fact_interactions (agent: the contact's agent, as in fcr and
// csat).
var templateDims = map[string]string{"template": "u_template", "category": "u_category", "channel": "channel", "queue": "queue", "agent": "agent_id"}

// useColumns are the columns of fact_template_uses behind template_usage's
// template and category dimensions.
var useColumns = map[string]string{"template": "template_id", "category": "category"}

var templateUsage = report{
	def: Definition{
		Name: "template_usage", Title: "Reply templates: use, FCR and CSAT",
		Description: "Per reply template: the agent replies sent from it (uses), the contacts with at least one (interactions), and those contacts' first contact resolution and satisfaction as the fcr and csat reports count them: " +
			"handled (closed after being answered), repeated (the same customer came back, on any channel, within N days: option days, default 7) and fcr; responses, average_score (1-5) and csat (the share of 4 and 5). " +
			"The row whose template is empty is the baseline: contacts with written agent replies none of which came from a template, in the same period, filters and other groups (uses 0). " +
			"Rows are always per template; category (the template version's), channel, queue, agent (the contact's) and a time unit split them further. " +
			"A contact that used several templates counts once for each. " + interactionPeriod,
		GroupBy:        groupsOf(templateDims),
		DefaultGroupBy: []string{"template"},
		Filters:        allFilters,
		Options:        []Option{daysOption},
		Columns: []Column{
			{"uses", "int"}, {"interactions", "int"}, {"handled", "int"}, {"repeated", "int"}, {"fcr", "float"},
			{"responses", "int"}, {"average_score", "float"}, {"csat", "float"},
		},
	},
	run: runTemplateUsage,
}

// contactOutcomes are the measures template_usage takes of contacts (rows
// of fact_interactions): how many, then fcr's (handled, repeated) and
// csat's (responses, their scores' sum, the 4s and 5s), each as that
// report counts it.
func contactOutcomes(q *query, args *[]any) []string {
	return []string{
		"count()", "sum(handled)", "sum(CASE WHEN handled = 1 AND " + repeatedSQL(q, args) + " THEN 1 ELSE 0 END)",
		"sum(CASE WHEN csat > 0 THEN 1 ELSE 0 END)", "sum(CASE WHEN csat > 0 THEN csat ELSE 0 END)", "sum(CASE WHEN csat >= 4 THEN 1 ELSE 0 END)",
	}
}

// runTemplateUsage runs two aggregations and lists their rows together:
// the contacts of the period joined with their template uses, first
// collapsed to one row per contact and template (so that a contact counts
// once per template however often it used it), and the baseline contacts
// from fact_interactions alone (template_replies = 0), whose template
// and category are empty.
func runTemplateUsage(ctx context.Context, q *query) (Table, error) {
	groups := q.groups
	if !slices.Contains(groups, "template") {
		groups = append([]string{"template"}, groups...)
	}
	dims := q.dimsOf(groups, templateDims, "started_at")

	var args []any
	measures := append([]string{"sum(u_uses)"}, contactOutcomes(q, &args)...)
	contacts := "SELECT interaction_id, started_at, channel, queue, agent_id, handled, csat, next_started_at FROM " + InteractionsTable.Name + q.d.Final() +
		" WHERE started_at >= ? AND started_at < ?"
	args = append(args, q.from, q.to)
	contacts += q.filterSQL(interactionFilters, &args)
	useSel, useGroup := []string{"interaction_id"}, []string{"interaction_id"}
	for _, g := range groups {
		if col, ok := useColumns[g]; ok {
			useSel = append(useSel, col+" AS "+templateDims[g])
			useGroup = append(useGroup, col)
		}
	}
	uses := "SELECT " + strings.Join(useSel, ", ") + ", count() AS u_uses FROM " + TemplateUsesTable.Name + q.d.Final() +
		" GROUP BY " + strings.Join(useGroup, ", ")
	// The contacts of the period on the left, their uses (fewer rows) on
	// the right: ClickHouse builds its hash table of the right side.
	from := "FROM (" + contacts + ") " + q.d.InnerJoin() + " (" + uses + ") USING (interaction_id)"
	rows, err := q.runGrouped(ctx, dims, measures, from, args)
	if err != nil {
		return Table{}, err
	}

	var baseDims []dim
	var at []int // index in dims of each baseline dimension
	for i, d := range dims {
		if _, ok := useColumns[groups[i]]; !ok {
			baseDims, at = append(baseDims, d), append(at, i)
		}
	}
	var bargs []any
	bmeasures := contactOutcomes(q, &bargs)
	bfrom := "FROM " + InteractionsTable.Name + q.d.Final() + " WHERE started_at >= ? AND started_at < ? AND messages_out > 0 AND template_replies = 0"
	bargs = append(bargs, q.from, q.to)
	bfrom += q.filterSQL(interactionFilters, &bargs)
	base, err := q.runGrouped(ctx, baseDims, bmeasures, bfrom, bargs)
	if err != nil {
		return Table{}, err
	}
	all := make([]groupedRow, 0, len(base)+len(rows))
	for _, b := range base {
		r := groupedRow{groups: make([]any, len(dims)), measures: append([]int64{0}, b.measures...)}
		for i := range dims {
			r.groups[i] = ""
		}
		for j, i := range at {
			r.groups[i] = b.groups[j]
		}
		all = append(all, r)
	}
	all = append(all, rows...)
	sort.SliceStable(all, func(i, j int) bool { return lessGroups(all[i].groups, all[j].groups) })

	t := Table{Report: q.def.Name, Columns: append(q.groupColumns(dims), q.def.Columns...)}
	for _, r := range all {
		m := r.measures
		row := append(slices.Clone(r.groups), m[0], m[1])
		row = append(row, fcrOf(m[2], m[3])...)
		t.Rows = append(t.Rows, append(row, csatOf(m[4], m[5], m[6])...))
	}
	return t, nil
}

var closingSummaries = aggReport(Definition{
	Name: "closing_summaries", Title: "Drafted closing summaries",
	Description: "Contacts closed by an agent (abandoned ones aside), how many of them were offered a drafted closing summary (drafted, and its share of closed), " +
		"and how many were closed with the draft as it was (kept_unedited, and its share of drafted). " + interactionPeriod,
	DefaultGroupBy: []string{"agent"},
	Columns:        []Column{{"closed", "int"}, {"drafted", "int"}, {"drafted_share", "float"}, {"kept_unedited", "int"}, {"kept_share", "float"}},
}, aggSpec{
	table: InteractionsTable, timeCol: "started_at", dims: interactionDims, filters: interactionFilters,
	where:    sql(" AND status = 'CLOSED'"),
	measures: fixed("count()", "sum(summary_drafted)", "sum(CASE WHEN summary_drafted = 1 AND summary_edited = 0 THEN 1 ELSE 0 END)"),
	derive:   func(_ *query, m []int64) []any { return []any{m[0], m[1], ratio(m[1], m[0]), m[2], ratio(m[2], m[1])} },
})
