package analytics

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TimeUnits are the time dimensions every report with a time axis offers.
var TimeUnits = []string{"hour", "day", "week", "month"}

// BucketStart returns the start of the unit ("hour", "day", "week" from
// Monday, "month") holding t, cut in loc, as ClickHouse's toStartOfHour /
// toStartOfDay / toMonday / toStartOfMonth cut it. The embedded back end
// calls it from SQL, and reports use it to list empty buckets.
func BucketStart(t time.Time, unit string, loc *time.Location) time.Time {
	lt := t.In(loc)
	switch unit {
	case "hour":
		_, off := lt.Zone()
		local := t.Unix() + int64(off)
		return time.Unix(local-mod(local, 3600)-int64(off), 0).In(loc)
	case "week":
		wd := (int(lt.Weekday()) + 6) % 7
		return time.Date(lt.Year(), lt.Month(), lt.Day()-wd, 0, 0, 0, 0, loc)
	case "month":
		return time.Date(lt.Year(), lt.Month(), 1, 0, 0, 0, 0, loc)
	default:
		return time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	}
}

// nextBucket returns the start of the bucket after the one starting at b.
func nextBucket(b time.Time, unit string, loc *time.Location) time.Time {
	switch unit {
	case "hour":
		return b.Add(time.Hour)
	case "week":
		return BucketStart(time.Date(b.Year(), b.Month(), b.Day()+7, 12, 0, 0, 0, loc), unit, loc)
	case "month":
		return time.Date(b.Year(), b.Month()+1, 1, 0, 0, 0, 0, loc)
	default:
		return BucketStart(time.Date(b.Year(), b.Month(), b.Day()+1, 12, 0, 0, 0, loc), unit, loc)
	}
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

var zoneName = regexp.MustCompile(`^[A-Za-z0-9_+\-/]+$`)

// query is one report request, checked and ready to render.
type query struct {
	backend Backend
	d       Dialect
	req     Request
	def     Definition
	tz      string
	loc     *time.Location
	from    int64 // ms
	to      int64 // ms
	groups  []string
	options map[string]float64
}

func newQuery(b Backend, def Definition, req Request) (*query, error) {
	q := &query{backend: b, req: req, def: def, options: map[string]float64{}}
	if b != nil {
		q.d = b.Dialect()
	}
	bad := func(format string, args ...any) error {
		return &RequestError{Report: def.Name, Reason: fmt.Sprintf(format, args...)}
	}
	if req.From.IsZero() || req.To.IsZero() || !req.From.Before(req.To) {
		return nil, bad("the period needs from < to")
	}
	q.from, q.to = req.From.UnixMilli(), req.To.UnixMilli()
	q.tz = req.TimeZone
	if q.tz == "" {
		q.tz = "UTC"
	}
	loc, err := time.LoadLocation(q.tz)
	if err != nil || !zoneName.MatchString(q.tz) || q.tz == "Local" {
		return nil, bad("unknown time zone %q", req.TimeZone)
	}
	q.loc = loc
	q.groups = req.GroupBy
	if len(q.groups) == 0 {
		q.groups = def.DefaultGroupBy
	}
	if err := q.checkGroups(); err != nil {
		return nil, bad("%v", err)
	}
	if n := q.buckets(); n > maxBuckets {
		return nil, bad("%d time buckets is more than %d: group by a longer unit or shorten the period", n, maxBuckets)
	}
	if err := q.checkFilters(); err != nil {
		return nil, bad("%v", err)
	}
	if err := q.parseOptions(); err != nil {
		return nil, bad("%v", err)
	}
	return q, nil
}

func (q *query) checkGroups() error {
	seen, units := map[string]bool{}, 0
	for _, g := range q.groups {
		if !slices.Contains(q.def.GroupBy, g) {
			return fmt.Errorf("cannot group by %q (allowed: %s)", g, strings.Join(q.def.GroupBy, ", "))
		}
		if seen[g] {
			return fmt.Errorf("%q named twice in groupBy", g)
		}
		seen[g] = true
		if slices.Contains(TimeUnits, g) {
			units++
		}
	}
	if units > 1 {
		return fmt.Errorf("group by one time unit at most")
	}
	return nil
}

// maxBuckets bounds the rows a time axis can produce (backlog lists every
// bucket of the period, empty or not).
const maxBuckets = 20_000

// buckets estimates how many buckets the request's time unit cuts the
// period into.
func (q *query) buckets() int64 {
	unit := map[string]time.Duration{"hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour, "month": 28 * 24 * time.Hour}
	for _, g := range q.groups {
		if d, ok := unit[g]; ok {
			return (q.to-q.from)/d.Milliseconds() + 1
		}
	}
	return 0
}

func (q *query) checkFilters() error {
	f := q.req.Filter
	for name, vals := range map[string][]string{"channel": f.Channels, "queue": f.Queues, "agent": f.Agents} {
		if len(vals) > 0 && !slices.Contains(q.def.Filters, name) {
			return fmt.Errorf("cannot filter by %s (allowed: %s)", name, strings.Join(q.def.Filters, ", "))
		}
		if len(vals) > 1000 {
			return fmt.Errorf("too many %s values", name)
		}
	}
	return nil
}

func (q *query) parseOptions() error {
	for _, o := range q.def.Options {
		v, err := strconv.ParseFloat(o.Default, 64)
		if err != nil {
			return fmt.Errorf("option %s: bad default %q", o.Name, o.Default)
		}
		q.options[o.Name] = v
	}
	for name, raw := range q.req.Options {
		if !slices.ContainsFunc(q.def.Options, func(o Option) bool { return o.Name == name }) {
			return fmt.Errorf("unknown option %q", name)
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < 0 || v > 1e9 {
			return fmt.Errorf("option %s: %q is not a number in 0..1e9", name, raw)
		}
		q.options[name] = v
	}
	return nil
}

// optionMs returns an option given in seconds (or days, with perDay) as
// milliseconds.
func (q *query) optionMs(name string, unit time.Duration) int64 {
	return int64(q.options[name] * float64(unit/time.Millisecond))
}

// filterSQL renders the request's filters on the given columns, adding
// their values to args.
func (q *query) filterSQL(cols map[string]string, args *[]any) string {
	var sb strings.Builder
	add := func(name string, vals []string) {
		col, ok := cols[name]
		if !ok || len(vals) == 0 {
			return
		}
		sb.WriteString(" AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")")
		for _, v := range vals {
			*args = append(*args, v)
		}
	}
	add("channel", q.req.Filter.Channels)
	add("queue", q.req.Filter.Queues)
	add("agent", q.req.Filter.Agents)
	return sb.String()
}

// dim is a grouping column of a rendered query.
type dim struct {
	name string
	expr string
	time bool
}

// dims renders the query's groups with cols (dimension -> column); time
// units bucket timeCol.
func (q *query) dims(cols map[string]string, timeCol string) []dim {
	return q.dimsOf(q.groups, cols, timeCol)
}

// dimsOf renders groups as dims does the query's.
func (q *query) dimsOf(groups []string, cols map[string]string, timeCol string) []dim {
	out := make([]dim, 0, len(groups))
	for _, g := range groups {
		if slices.Contains(TimeUnits, g) {
			out = append(out, dim{name: g, expr: q.d.Bucket(g, timeCol, q.tz), time: true})
			continue
		}
		out = append(out, dim{name: g, expr: cols[g]})
	}
	return out
}

// groupedRow is a row of a grouped query: its group values (string, or
// time.Time for time units) and integer measures.
type groupedRow struct {
	groups   []any
	measures []int64
}

// runGrouped runs SELECT dims..., measures... FROM ... and scans it.
func (q *query) runGrouped(ctx context.Context, dims []dim, measures []string, from string, args []any) ([]groupedRow, error) {
	var sel []string
	var groupBy []string
	for i, d := range dims {
		alias := fmt.Sprintf("g%d", i)
		sel = append(sel, d.expr+" AS "+alias)
		groupBy = append(groupBy, alias)
	}
	for i, m := range measures {
		sel = append(sel, q.d.Int(m)+fmt.Sprintf(" AS m%d", i))
	}
	sqlText := "SELECT " + strings.Join(sel, ", ") + " " + from
	if len(groupBy) > 0 {
		sqlText += " GROUP BY " + strings.Join(groupBy, ", ")
	}
	rows, err := q.backend.Query(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", q.def.Name, err)
	}
	defer rows.Close()
	var out []groupedRow
	for rows.Next() {
		r, err := q.scanGrouped(rows, dims, len(measures))
		if err != nil {
			return nil, fmt.Errorf("report %s: %w", q.def.Name, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report %s: %w", q.def.Name, err)
	}
	sortGrouped(out)
	return out, nil
}

func (q *query) scanGrouped(rows Rows, dims []dim, measures int) (groupedRow, error) {
	strs := make([]string, len(dims))
	ints := make([]int64, len(dims)+measures)
	dest := make([]any, 0, len(dims)+measures)
	for i, d := range dims {
		if d.time {
			dest = append(dest, &ints[i])
		} else {
			dest = append(dest, &strs[i])
		}
	}
	for i := range measures {
		dest = append(dest, &ints[len(dims)+i])
	}
	if err := rows.Scan(dest...); err != nil {
		return groupedRow{}, err
	}
	r := groupedRow{groups: make([]any, len(dims)), measures: ints[len(dims):]}
	for i, d := range dims {
		if d.time {
			r.groups[i] = time.Unix(ints[i], 0).In(q.loc)
		} else {
			r.groups[i] = strs[i]
		}
	}
	return r, nil
}

// sortGrouped orders rows by their group values, so both back ends list
// rows alike.
func sortGrouped(rows []groupedRow) {
	sort.SliceStable(rows, func(i, j int) bool { return lessGroups(rows[i].groups, rows[j].groups) })
}

func lessGroups(a, b []any) bool {
	for k := range a {
		switch x := a[k].(type) {
		case time.Time:
			y := b[k].(time.Time)
			if !x.Equal(y) {
				return x.Before(y)
			}
		case string:
			y := b[k].(string)
			if x != y {
				return x < y
			}
		}
	}
	return false
}

// groupColumns returns the result columns of the query's groups.
func (q *query) groupColumns(dims []dim) []Column {
	cols := make([]Column, len(dims))
	for i, d := range dims {
		cols[i] = Column{Name: d.name, Type: "string"}
		if d.time {
			cols[i].Type = "time"
		}
	}
	return cols
}

// ratio is num/den, 0 when den is 0.
func ratio(num, den int64) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// seconds is an average of millisecond sums in seconds.
func seconds(sumMs, count int64) float64 {
	if count == 0 {
		return 0
	}
	return float64(sumMs) / float64(count) / 1000
}
