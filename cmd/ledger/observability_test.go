package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
)

// The operator's monitoring kit, kept in the repository (README,
// "Observability").
var (
	deployDir      = filepath.Join("..", "..", "deploy")
	dashboardPath  = filepath.Join(deployDir, "grafana", "ledger-dashboard.json")
	alertsPath     = filepath.Join(deployDir, "prometheus", "ledger-alerts.yml")
	alertTestsPath = filepath.Join(deployDir, "prometheus", "ledger-alerts_test.yml")
)

// externalMetrics are the series the dashboard or the alerts read that the
// ledger does not serve, each with the reason.
var externalMetrics = map[string]string{
	"up": "Prometheus records it for every scrape target (0: the scrape failed); no target serves it",
}

// TestAlertRules: promtool accepts the alert rules and their unit tests
// pass (each alert fires on the series that should fire it, and not on
// those that should not).
func TestAlertRules(t *testing.T) {
	promtool := requireTool(t, "promtool")
	for _, args := range [][]string{{"check", "rules", alertsPath}, {"test", "rules", alertTestsPath}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// dashboard is what the tests read of the Grafana dashboard.
type dashboard struct {
	Title      string
	UID        string
	Templating struct {
		List []struct {
			Name, Type string
			Query      any
			Definition string // a query variable's PromQL, as label_values(metric, label)
		}
	}
	Panels []dashboardPanel
}

type dashboardPanel struct {
	ID         int
	Type       string
	Title      string
	Datasource *struct{ Type, UID string }
	Targets    []struct {
		Expr       string
		Datasource *struct{ Type, UID string }
	}
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardPath, err)
	}
	return d
}

// TestDashboardIsValid: the dashboard is JSON Grafana imports, whose every
// query goes to the Prometheus data source chosen in its template
// variable, and which covers what the operator watches.
func TestDashboardIsValid(t *testing.T) {
	d := readDashboard(t)
	if d.Title == "" || d.UID == "" {
		t.Errorf("dashboard title %q, uid %q: want both", d.Title, d.UID)
	}
	hasSource := false
	for _, v := range d.Templating.List {
		hasSource = hasSource || v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	}
	if !hasSource {
		t.Fatal("no datasource template variable of type prometheus")
	}
	ids := map[int]bool{}
	queries := 0
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("panel %q: data source %+v, %d queries; want ${datasource} and a query", p.Title, p.Datasource, len(p.Targets))
		}
		for _, q := range p.Targets {
			if q.Expr == "" || q.Datasource == nil || q.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: query %q on %+v", p.Title, q.Expr, q.Datasource)
			}
			queries++
		}
	}
	// What the operator watches (issue #19): each is in some query.
	for _, want := range []string{"ledger_channel_messages_total", "ledger_command_duration_seconds_bucket",
		"ledger_eventstore_events_appended_total", "ledger_eventstore_batch_seconds_bucket", "ledger_follower_lag_events",
		"ledger_queue_wait_seconds_bucket", "ledger_sla_breaches_total", "ledger_graphql_request_duration_seconds_bucket",
		"ledger_outbound_attempts_total", "ledger_analytics_sink_lag_events"} {
		if !slices.Contains(dashboardMetrics(d), want) {
			t.Errorf("no panel reads %s", want)
		}
	}
	if queries < 20 {
		t.Errorf("%d queries: the dashboard lost its panels", queries)
	}
}

// TestDashboardQueriesParse: every query of the dashboard is PromQL that
// Prometheus accepts, Grafana's variables given values, checked by
// promtool as recording rules.
func TestDashboardQueriesParse(t *testing.T) {
	promtool := requireTool(t, "promtool")
	d := readDashboard(t)
	vars := strings.NewReplacer("$__rate_interval", "5m", "$instance", ".*")
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	n := 0
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			n++
			expr, _ := json.Marshal(vars.Replace(q.Expr)) // a JSON string is a YAML string
			fmt.Fprintf(&rules, "      - record: dashboard:query%d\n        expr: %s\n", n, expr)
		}
	}
	path := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	if err := os.WriteFile(path, []byte(rules.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules on the dashboard's queries: %v\n%s", err, out)
	}
}

// checkMetricsServed: every series the dashboard and the alert rules
// read is on the running server's /metrics (admin), once one message came
// in through a channel (labelled series exist from their first use), or
// is listed in externalMetrics with the reason.
func checkMetricsServed(t *testing.T, admin string) {
	t.Helper()
	used := map[string][]string{} // metric: where it is read
	for _, m := range dashboardMetrics(readDashboard(t)) {
		used[m] = append(used[m], "dashboard")
	}
	for alert, expr := range alertExprs(t) {
		for _, m := range promqlMetrics(expr) {
			used[m] = append(used[m], alert)
		}
	}
	if len(used) < 25 {
		t.Fatalf("%d metrics found in the dashboard and alerts: the name extraction is broken", len(used))
	}
	served := scrapeNames(t, admin, `ledger_channel_messages_total{channel="`+string(domain.ChannelSMS)+`",outcome="ok"}`)
	for _, m := range slices.Sorted(maps.Keys(used)) {
		if reason, ok := externalMetrics[m]; ok {
			t.Logf("%s is external: %s", m, reason)
			continue
		}
		if !served[m] && !served[m+"_bucket"] && !served[m+"_count"] {
			t.Errorf("%s (read by %s) is not on /metrics", m, strings.Join(slices.Compact(used[m]), ", "))
		}
	}
	for m := range externalMetrics {
		if used[m] == nil {
			t.Errorf("external metric %s is read nowhere: drop it from the list", m)
		}
		if served[m] {
			t.Errorf("external metric %s is served by the ledger after all", m)
		}
	}
}

// scrapeNames returns the metric names on admin's /metrics once it shows
// the series want.
func scrapeNames(t *testing.T, admin, want string) map[string]bool {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		body, status := get(t, admin+"/metrics")
		if status == http.StatusOK && strings.Contains(body, want) {
			names := map[string]bool{}
			sc := bufio.NewScanner(strings.NewReader(body))
			for sc.Scan() {
				line := sc.Text()
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				names[line[:strings.IndexAny(line, "{ ")]] = true
			}
			return names
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics never showed %s (status %d):\n%s", want, status, grepLines(body, "ledger_channel"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// labelValues is the PromQL of a Grafana query variable.
var labelValues = regexp.MustCompile(`^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)`)

// dashboardMetrics returns the metric names the dashboard's queries and
// query variables read.
func dashboardMetrics(d dashboard) []string {
	var names []string
	for _, v := range d.Templating.List {
		if m := labelValues.FindStringSubmatch(v.Definition); v.Type == "query" && m != nil {
			names = append(names, m[1])
		}
	}
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			names = append(names, promqlMetrics(q.Expr)...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// alertExprs returns each alert rule's expression by alert name.
func alertExprs(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(alertsPath)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct{ Alert, Expr string }
		}
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", alertsPath, err)
	}
	out := map[string]string{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			out[r.Alert] = r.Expr
		}
	}
	return out
}

var (
	promqlStrings  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promqlMatchers = regexp.MustCompile(`\{[^}]*\}`)
	promqlRanges   = regexp.MustCompile(`\[[^\]]*\]`)
	promqlGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promqlIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	promqlKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true,
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true, "inf": true, "nan": true}
)

// promqlMetrics returns the metric names a PromQL expression reads: its
// identifiers once strings, label matchers, ranges and grouping labels
// are taken out, except functions (followed by a parenthesis), keywords,
// Grafana's $variables and the exponents of numbers. promtool parses the
// expressions (TestAlertRules, TestDashboardQueriesParse); this only
// needs to find the names in expressions that parse.
func promqlMetrics(expr string) []string {
	s := promqlStrings.ReplaceAllString(expr, `""`)
	s = promqlMatchers.ReplaceAllString(s, "")
	s = promqlRanges.ReplaceAllString(s, "")
	s = promqlGrouping.ReplaceAllString(s, "")
	var names []string
	for _, loc := range promqlIdent.FindAllStringIndex(s, -1) {
		name := s[loc[0]:loc[1]]
		if promqlKeywords[strings.ToLower(name)] {
			continue
		}
		if loc[0] > 0 && strings.ContainsAny(s[loc[0]-1:loc[0]], "$0123456789.") {
			continue
		}
		if rest := strings.TrimLeft(s[loc[1]:], " \t\n"); strings.HasPrefix(rest, "(") {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestPromQLMetrics(t *testing.T) {
	for expr, want := range map[string][]string{
		`histogram_quantile(0.9, sum by (le, queue) (rate(ledger_queue_wait_seconds_bucket{instance=~"$instance"}[$__rate_interval])))`: {"ledger_queue_wait_seconds_bucket"},
		`ledger_data_free_bytes / ledger_data_size_bytes < 0.10 and ledger_data_free_bytes >= 0`:                                        {"ledger_data_free_bytes", "ledger_data_size_bytes"},
		`a > 0 and on (instance, job) delta(b[15m]) == 0 unless on (instance, job) c{follower="x"} == 0`:                                {"a", "b", "c"},
		`process_resident_memory_bytes{instance=~"a|b"} / 2^20 + 1e9`:                                                                   {"process_resident_memory_bytes"},
		`up{job="ledger"} offset 5m`:                                       {"up"},
		`sum without (le) (rate(x_total{outcome=~"failed|gave_up"}[10m]))`: {"x_total"},
	} {
		if got := promqlMetrics(expr); !slices.Equal(got, want) {
			t.Errorf("promqlMetrics(%s) = %v, want %v", expr, got, want)
		}
	}
}

// grepLines returns body's lines that contain s.
func grepLines(body, s string) string {
	var out []string
	for line := range strings.Lines(body) {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}
