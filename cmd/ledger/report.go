package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/interactionledger/ledger/analytics"
)

// runReport prints one report of the catalogue, or the catalogue itself
// with --list, and how current it is (freshAnalytics): an embedded store
// is brought up to the ledger's head first, unless a server runs on the
// ledger.
func runReport(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("report", out)
	dsn := clickHouseFlag(fs)
	list := fs.Bool("list", false, "list the reports with their definitions")
	from := fs.String("from", "", "start of the period, RFC 3339 or YYYY-MM-DD in --tz (default: 30 days before --to)")
	to := fs.String("to", "", "end of the period (exclusive), RFC 3339 or YYYY-MM-DD in --tz (default: now)")
	tz := fs.String("tz", "UTC", "IANA time zone days and hours are cut in")
	groupBy := fs.String("group-by", "", "comma-separated dimensions (see --list)")
	channels := fs.String("channel", "", "comma-separated channels to keep")
	queues := fs.String("queue", "", "comma-separated queues to keep")
	agents := fs.String("agent", "", "comma-separated agent ids to keep")
	options := fs.String("option", "", "comma-separated report options, name=value (see --list)")
	format := fs.String("format", "table", "table, csv or json")
	quiet := fs.Bool("quiet", false, "no progress bar while the embedded analytics store catches up")
	masterKeyFile := addMasterKeyFlag(fs)
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if *list {
		printCatalogue(out)
		return nil
	}
	if name == "" {
		fmt.Fprintln(out, "usage: ledger report NAME --from T --to T [--tz Z] [--group-by a,b] [--format table|csv|json]   (ledger report --list)")
		return &exitError{code: 2, err: errors.New("report: no report named")}
	}
	req, err := reportRequest(name, *from, *to, *tz, *groupBy, *channels, *queues, *agents, *options)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	backend, err := openAnalytics(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	defer backend.Close()
	if err := backend.Setup(ctx); err != nil {
		return err
	}
	fresh, err := freshAnalytics(ctx, keySource{dir: *data, file: *masterKeyFile}, backend, *dsn == "", *quiet)
	if err != nil {
		return err
	}
	table, err := analytics.NewReporter(backend).Report(ctx, req)
	var reqErr *analytics.RequestError
	if errors.Is(err, analytics.ErrUnknownReport) || errors.As(err, &reqErr) {
		return &exitError{code: 2, err: err}
	}
	if err != nil {
		return err
	}
	if err := writeTable(out, table, *format, fresh); err != nil {
		return err
	}
	writeFreshness(out, fresh, *format)
	return nil
}

func reportRequest(name, from, to, tz, groupBy, channels, queues, agents, options string) (analytics.Request, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return analytics.Request{}, fmt.Errorf("--tz: %w", err)
	}
	end := time.Now().UTC()
	if to != "" {
		if end, err = parseTime(to, loc); err != nil {
			return analytics.Request{}, fmt.Errorf("--to: %w", err)
		}
	}
	start := end.AddDate(0, 0, -30)
	if from != "" {
		if start, err = parseTime(from, loc); err != nil {
			return analytics.Request{}, fmt.Errorf("--from: %w", err)
		}
	}
	req := analytics.Request{
		Name: name, From: start, To: end, TimeZone: tz, GroupBy: reportList(groupBy),
		Filter: analytics.Filter{Channels: reportList(strings.ToUpper(channels)), Queues: reportList(queues), Agents: reportList(agents)},
	}
	for _, kv := range reportList(options) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return req, fmt.Errorf("--option %q is not name=value", kv)
		}
		if req.Options == nil {
			req.Options = map[string]string{}
		}
		req.Options[k] = v
	}
	return req, nil
}

func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", s, loc)
}

func reportList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func printCatalogue(out io.Writer) {
	for _, d := range analytics.Catalogue() {
		fmt.Fprintf(out, "%s — %s\n  %s\n", d.Name, d.Title, d.Description)
		fmt.Fprintf(out, "  group by: %s (default: %s)\n", strings.Join(d.GroupBy, ", "), strings.Join(d.DefaultGroupBy, ", "))
		if len(d.Filters) > 0 {
			fmt.Fprintf(out, "  filters: %s\n", strings.Join(d.Filters, ", "))
		}
		for _, o := range d.Options {
			fmt.Fprintf(out, "  option %s (default %s): %s\n", o.Name, o.Default, o.Description)
		}
		var cols []string
		for _, c := range d.Columns {
			cols = append(cols, c.Name)
		}
		fmt.Fprintf(out, "  columns: %s\n\n", strings.Join(cols, ", "))
	}
}

func writeTable(out io.Writer, t analytics.Table, format string, fresh reportFreshness) error {
	switch format {
	case "table":
		return writeText(out, t)
	case "csv":
		return writeCSV(out, t)
	case "json":
		return writeJSON(out, t, fresh)
	default:
		return &exitError{code: 2, err: fmt.Errorf("unknown --format %q (table, csv, json)", format)}
	}
}

// cell renders a value; exact floats for csv and json, rounded for people.
func cell(v any, exact bool) string {
	switch v := v.(type) {
	case time.Time:
		return v.Format(time.RFC3339)
	case float64:
		if exact {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	default:
		return fmt.Sprint(v)
	}
}

func writeText(out io.Writer, t analytics.Table) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	var head []string
	for _, c := range t.Columns {
		head = append(head, c.Name)
	}
	fmt.Fprintln(w, strings.Join(head, "\t")+"\t")
	for _, r := range t.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = cell(v, false)
		}
		fmt.Fprintln(w, strings.Join(cells, "\t")+"\t")
	}
	if len(t.Rows) == 0 {
		fmt.Fprintln(w, "(no rows)\t")
	}
	return w.Flush()
}

func writeCSV(out io.Writer, t analytics.Table) error {
	w := csv.NewWriter(out)
	var head []string
	for _, c := range t.Columns {
		head = append(head, c.Name)
	}
	if err := w.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = cell(v, true)
		}
		if err := w.Write(cells); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func writeJSON(out io.Writer, t analytics.Table, fresh reportFreshness) error {
	rows := make([]map[string]any, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make(map[string]any, len(r))
		for j, v := range r {
			rows[i][t.Columns[j].Name] = v
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"report": t.Report, "columns": t.Columns, "rows": rows,
		"asOf": map[string]uint64{"position": fresh.position, "ledgerHead": fresh.head}})
}
