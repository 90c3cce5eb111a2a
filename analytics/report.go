// Package analytics owns the reporting side of the ledger: the sink that
// turns ledger events into fact tables (in ClickHouse, or in an embedded
// back end when no ClickHouse is configured), the report catalogue, and
// the QA scoring policy.
package analytics

import (
	"context"
	"time"
)

// Request asks for one report of the catalogue.
type Request struct {
	// Name is the report's snake_case name, e.g. "channel_volume".
	Name string
	// From and To bound the period, [From, To).
	From, To time.Time
	// TimeZone is the IANA zone that days and hours are cut in (default
	// UTC).
	TimeZone string
	// GroupBy names the dimensions to group by, among those the report's
	// Definition allows (e.g. "channel", "day", "hour", "agent", "queue").
	GroupBy []string
	// Filter narrows the facts counted.
	Filter Filter
	// Options tune a report, among those its Definition lists (e.g.
	// "threshold_seconds" for service_level, "days" for fcr); values are
	// decimal numbers.
	Options map[string]string
}

// Filter narrows a report; an empty list means no restriction.
type Filter struct {
	Channels []string
	Queues   []string
	Agents   []string
}

// Column describes one column of a report's result.
type Column struct {
	Name string
	// Type is one of "string", "int", "float", "time".
	Type string
}

// Table is a report's result: the same on every back end.
type Table struct {
	Report  string
	Columns []Column
	// Rows hold string, int64, float64 or time.Time values, in column order.
	Rows [][]any
}

// Definition describes a report of the catalogue.
type Definition struct {
	Name        string
	Title       string
	Description string
	// GroupBy lists the dimensions the report can be grouped by.
	GroupBy []string
	// DefaultGroupBy is used when a request names no dimension.
	DefaultGroupBy []string
	// Filters lists the Filter fields the report honours ("channel",
	// "queue", "agent"); the others are refused.
	Filters []string
	// Options lists the Request.Options the report reads, with their
	// defaults.
	Options []Option
	// Columns are the measures the report returns after its groups.
	Columns []Column
}

// Option is a tunable parameter of a report.
type Option struct {
	Name        string
	Default     string
	Description string
}

// Reporter answers report requests. Implementations: the ClickHouse back
// end and the embedded one; both give the same numbers.
type Reporter interface {
	Definitions() []Definition
	Report(ctx context.Context, req Request) (Table, error)
}
