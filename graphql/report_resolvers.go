package graphql

import (
	"context"
	"slices"
	"strings"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// reporterFor returns the analytics reporter, or UNAVAILABLE when the
// analytics component is not running.
func (r *resolver) reporterFor(ctx context.Context) (analytics.Reporter, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadReports); err != nil {
		return nil, err
	}
	if r.reporter == nil {
		return nil, apierror.New(apierror.CodeUnavailable, "reports are not available: the analytics component is not running on this server")
	}
	return r.reporter, nil
}

// Reports returns the report catalogue.
func (r *resolver) Reports(ctx context.Context) ([]*reportDefinition, error) {
	rep, err := r.reporterFor(ctx)
	if err != nil {
		return nil, err
	}
	defs := rep.Definitions()
	out := make([]*reportDefinition, len(defs))
	for i, d := range defs {
		out[i] = &reportDefinition{d: d}
	}
	return out, nil
}

// reportFilterInput is the ReportFilter input.
type reportFilterInput struct {
	Channels *[]string
	Queues   *[]string
	Agents   *[]gql.ID
}

// Report runs one report.
func (r *resolver) Report(ctx context.Context, args struct {
	Name     string
	From     gql.Time
	To       gql.Time
	TimeZone *string
	GroupBy  *[]string
	Filter   *reportFilterInput
	Options  *[]reportOptionInput
}) (*reportTable, error) {
	rep, err := r.reporterFor(ctx)
	if err != nil {
		return nil, err
	}
	if !args.From.Time.Before(args.To.Time) {
		return nil, apierror.BadInput("from must be before to")
	}
	req := analytics.Request{Name: args.Name, From: args.From.Time, To: args.To.Time}
	if args.TimeZone != nil {
		if _, err := time.LoadLocation(*args.TimeZone); err != nil {
			return nil, apierror.BadInput("unknown time zone %q", *args.TimeZone)
		}
		req.TimeZone = *args.TimeZone
	}
	if args.GroupBy != nil {
		req.GroupBy = *args.GroupBy
	}
	if f := args.Filter; f != nil {
		req.Filter.Channels = derefList(f.Channels)
		req.Filter.Queues = derefList(f.Queues)
		for _, id := range derefList(f.Agents) {
			req.Filter.Agents = append(req.Filter.Agents, string(id))
		}
	}
	if req.Options, err = reportOptions(rep, args.Name, derefList(args.Options)); err != nil {
		return nil, err
	}
	table, err := rep.Report(ctx, req)
	if err != nil {
		return nil, err
	}
	return &reportTable{t: table}, nil
}

// reportOptionInput is the ReportOptionInput input.
type reportOptionInput struct {
	Name  string
	Value string
}

// reportOptions checks the names of the options given against the
// report's own, so that the message can list those it does take, and
// returns them as the analytics request takes them. Values are checked by
// the analytics query, which parses them.
func reportOptions(rep analytics.Reporter, report string, given []reportOptionInput) (map[string]string, error) {
	if len(given) == 0 {
		return nil, nil
	}
	defs := rep.Definitions()
	i := slices.IndexFunc(defs, func(d analytics.Definition) bool { return d.Name == report })
	if i < 0 {
		return nil, nil // the analytics query refuses the unknown report by name
	}
	takes := make([]string, 0, len(defs[i].Options))
	for _, o := range defs[i].Options {
		takes = append(takes, o.Name)
	}
	out := make(map[string]string, len(given))
	for _, o := range given {
		if !slices.Contains(takes, o.Name) {
			return nil, apierror.BadInput("report %s has no option %q (%s)", report, o.Name, optionList(takes))
		}
		if _, twice := out[o.Name]; twice {
			return nil, apierror.BadInput("option %q of report %s is given twice", o.Name, report)
		}
		out[o.Name] = o.Value
	}
	return out, nil
}

// optionList says which options a report takes, for an error message.
func optionList(names []string) string {
	if len(names) == 0 {
		return "it takes none"
	}
	return "it takes " + strings.Join(names, ", ")
}

func derefList[T any](l *[]T) []T {
	if l == nil {
		return nil
	}
	return *l
}

// reportDefinition is a ReportDefinition.
type reportDefinition struct{ d analytics.Definition }

func (d *reportDefinition) Name() string        { return d.d.Name }
func (d *reportDefinition) Title() string       { return d.d.Title }
func (d *reportDefinition) Description() string { return d.d.Description }
func (d *reportDefinition) GroupBy() []string   { return d.d.GroupBy }

// DefaultGroupBy is the grouping a request without one gets.
func (d *reportDefinition) DefaultGroupBy() []string { return nonNil(d.d.DefaultGroupBy) }

// Filters names the ReportFilter fields the report honours.
func (d *reportDefinition) Filters() []string { return nonNil(d.d.Filters) }

// Options lists the options that tune the report.
func (d *reportDefinition) Options() []*reportOption {
	out := make([]*reportOption, len(d.d.Options))
	for i, o := range d.d.Options {
		out[i] = &reportOption{o: o}
	}
	return out
}

// reportOption is a ReportOption.
type reportOption struct{ o analytics.Option }

func (o *reportOption) Name() string         { return o.o.Name }
func (o *reportOption) DefaultValue() string { return o.o.Default }
func (o *reportOption) Description() string  { return o.o.Description }

// nonNil answers a list field with [] rather than null.
func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// reportTable is a ReportTable.
type reportTable struct{ t analytics.Table }

func (t *reportTable) Report() string { return t.t.Report }

func (t *reportTable) Columns() []*reportColumn {
	out := make([]*reportColumn, len(t.t.Columns))
	for i, c := range t.t.Columns {
		out[i] = &reportColumn{c: c}
	}
	return out
}

func (t *reportTable) Rows() ([]JSON, error) {
	out := make([]JSON, len(t.t.Rows))
	for i, row := range t.t.Rows {
		j, err := jsonOf(row) // time.Time encodes as RFC 3339
		if err != nil {
			return nil, err
		}
		out[i] = j
	}
	return out, nil
}

// reportColumn is a ReportColumn.
type reportColumn struct{ c analytics.Column }

func (c *reportColumn) Name() string { return c.c.Name }
func (c *reportColumn) Type() string { return c.c.Type }
