package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/clickhouse"
	"github.com/interactionledger/ledger/analytics/clickhouse/chtest"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// TestAnalyticsSyncCacheFlag: --cache bounds the folded entities; a tiny
// budget, evicting all along, gives the same report, and none is refused.
func TestAnalyticsSyncCacheFlag(t *testing.T) {
	dir := demoLedger(t)
	if out, err := ledger(t, "analytics", "sync", "--data", dir, "--quiet", "--cache", "0"); exitCode(err) != 2 {
		t.Errorf("analytics sync --cache 0: exit %d (%v), want 2\n%s", exitCode(err), err, out)
	}
	if out, err := ledger(t, "analytics", "sync", "--data", dir, "--quiet", "--cache", "10"); err != nil {
		t.Fatalf("analytics sync --cache 10: %v\n%s", err, out)
	}
	from := time.Now().AddDate(0, 0, -40).Format("2006-01-02")
	to := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	out, err := ledger(t, "report", "channel_volume", "--data", dir, "--from", from, "--to", to, "--group-by", "channel", "--format", "csv")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	total := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		fields := strings.Split(line, ",")
		n, err := strconv.Atoi(fields[1]) // channel,interactions,messages_in,messages_out
		if err != nil {
			t.Fatalf("channel_volume row %q: %v\n%s", line, err, out)
		}
		total += n
	}
	if total != 80 {
		t.Errorf("channel_volume after a sync with a 10-entity cache counts %d interactions, want the demo's 80:\n%s", total, out)
	}
}

// TestReportCommand: demo traffic, `ledger analytics sync --qa`, then
// `ledger report` in each format, and the catalogue listing.
func TestReportCommand(t *testing.T) {
	dir := demoLedger(t)
	out, err := ledger(t, "analytics", "sync", "--data", dir, "--qa", "--quiet")
	if err != nil || !strings.Contains(out, "analytics: sqlite at position") {
		t.Fatalf("analytics sync: %v\n%s", err, out)
	}
	from := time.Now().AddDate(0, 0, -40).Format("2006-01-02")
	to := time.Now().AddDate(0, 0, 1).Format("2006-01-02")

	out, err = ledger(t, "report", "channel_volume", "--data", dir, "--from", from, "--to", to, "--group-by", "channel", "--format", "json")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	var res struct {
		Rows []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	total := 0.0
	for _, r := range res.Rows {
		total += r["interactions"].(float64)
	}
	if total != 80 {
		t.Fatalf("channel_volume counts %v interactions, want the demo's 80:\n%s", total, out)
	}

	out, err = ledger(t, "report", "qa_by_agent", "--data", dir, "--from", from, "--to", to, "--format", "csv")
	if err != nil || !strings.HasPrefix(out, "agent,scored,average_score") || strings.Count(out, "\n") < 2 {
		t.Fatalf("qa_by_agent csv (QA scores must flow into the facts): %v\n%s", err, out)
	}
	out, err = ledger(t, "report", "backlog", "--data", dir, "--from", from, "--to", to, "--tz", "Asia/Shanghai")
	if err != nil || !strings.Contains(out, "backlog") || !strings.Contains(out, "+08:00") {
		t.Fatalf("backlog table: %v\n%s", err, out)
	}

	out, err = ledger(t, "report", "--list")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range analytics.Catalogue() {
		if !strings.Contains(out, d.Name+" — ") {
			t.Errorf("--list lacks %s", d.Name)
		}
	}
	for _, bad := range [][]string{{"report", "no_such_report", "--data", dir}, {"report", "asa", "--data", dir, "--group-by", "colour"}, {"report", "asa", "--data", dir, "--tz", "Mars/Olympus"}} {
		if out, err := ledger(t, bad...); exitCode(err) != 2 {
			t.Errorf("%v exited %d (%v), want 2\n%s", bad, exitCode(err), err, out)
		}
	}
}

// TestDemoLedgerSameNumbersOnBothBackEnds loads the demo generator's
// ledger into ClickHouse and the embedded back end through `ledger
// analytics sync` and compares every report.
func TestDemoLedgerSameNumbersOnBothBackEnds(t *testing.T) {
	srv := chtest.Start(t)
	dir := demoLedger(t)
	if out, err := ledger(t, "analytics", "sync", "--data", dir, "--qa", "--quiet"); err != nil {
		t.Fatalf("sync embedded: %v\n%s", err, out)
	}
	if out, err := ledger(t, "analytics", "sync", "--data", dir, "--clickhouse", srv.DSN(), "--quiet"); err != nil || !strings.Contains(out, "clickhouse") {
		t.Fatalf("sync clickhouse: %v\n%s", err, out)
	}
	emb, err := embedded.Open(t.Context(), filepath.Join(dir, embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	ch, err := clickhouse.Open(t.Context(), srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	from, to := time.Now().AddDate(0, 0, -32).Truncate(24*time.Hour), time.Now().AddDate(0, 0, 1).Truncate(24*time.Hour)
	if n := analyticstest.AssertSameReportsIn(t, analytics.NewReporter(emb), analytics.NewReporter(ch), from, to); n < 30 {
		t.Fatalf("only %d report tables had rows", n)
	}
}

// metricValue reads one gauge from the server's /metrics.
func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	body, _ := get(t, base+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// waitMetric polls a gauge until it reaches at least want.
func waitMetric(t *testing.T, base, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if metricValue(t, base, name) >= want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never reached %v (at %v)", name, want, metricValue(t, base, name))
}

// TestServeRunsSinkAndQAPolicy: `ledger serve` scores the closed
// interactions and streams the ledger, QA scores included, into the
// embedded back end while serving.
func TestServeRunsSinkAndQAPolicy(t *testing.T) {
	dir := demoLedger(t)
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"}, &analyticsComponent{qa: true})
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.adminAddr // metrics and health are on the admin listener
	head, _ := srv.store.HeadPosition(t.Context())
	waitMetric(t, base, "ledger_qa_policy_position", float64(head))
	head, _ = srv.store.HeadPosition(t.Context()) // now with the QA scores
	waitMetric(t, base, "ledger_analytics_sink_position", float64(head))
	if err := srv.shutdown(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	b, err := embedded.Open(t.Context(), filepath.Join(dir, embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tab, err := analytics.NewReporter(b).Report(t.Context(), analytics.Request{Name: "qa_by_team", From: time.Now().AddDate(0, 0, -40), To: time.Now().Add(time.Hour)})
	if err != nil || len(tab.Rows) == 0 {
		t.Fatalf("qa_by_team after serve: %v %v", tab.Rows, err)
	}
}

// TestReadmeDefinesEveryReport: the README's catalogue is the code's.
func TestReadmeDefinesEveryReport(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range analytics.Catalogue() {
		if !strings.Contains(string(readme), "| `"+d.Name+"` | "+d.Description+" |") {
			t.Errorf("README.md lacks the definition of %s as the catalogue states it:\n%s", d.Name, d.Description)
		}
	}
}

// TestServeKeepsAcceptingInteractionsWhileClickHouseIsDown: `ledger serve
// --clickhouse` starts while ClickHouse is down, accepts interactions
// (the ledger does not depend on it), and once ClickHouse is back the
// running sink catches up from its checkpoint; then every report on
// ClickHouse equals the embedded back end's over the same ledger.
func TestServeKeepsAcceptingInteractionsWhileClickHouseIsDown(t *testing.T) {
	ch := chtest.Start(t)
	ch.Kill()
	dir := analyticstest.FastDir(t)
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"}, &analyticsComponent{dsn: ch.DSN()})
	if err != nil {
		t.Fatalf("serve must start while ClickHouse is down: %v", err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = srv.shutdown(5 * time.Second)
		}
	}()
	base := "http://" + srv.adminAddr // metrics and health are on the admin listener
	traffic := func(seed uint64, start time.Time) {
		t.Helper()
		cfg := analyticstest.Config{Customers: 30, Interactions: 90, Seed: seed, Start: start, Span: 5 * 24 * time.Hour}
		if err := analyticstest.Generate(t.Context(), srv.store, cfg); err != nil {
			t.Fatalf("append interactions (seed %d): %v", seed, err)
		}
	}

	traffic(31, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if body, code := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("healthz while ClickHouse is down: %d %s", code, body)
	}
	down, _ := srv.store.HeadPosition(t.Context())
	if pos := metricValue(t, base, "ledger_analytics_sink_position"); pos != 0 {
		t.Fatalf("the sink wrote up to %v while ClickHouse was down: the test did not exercise the outage", pos)
	}

	ch.Restart()
	waitSink(t, base, float64(down))
	traffic(32, time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC))
	head, _ := srv.store.HeadPosition(t.Context())
	waitSink(t, base, float64(head))
	stopped = true
	if err := srv.shutdown(5 * time.Second); err != nil {
		t.Fatal(err)
	}

	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	key, err := analyticsKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := embedded.Open(t.Context(), filepath.Join(t.TempDir(), embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	if err := analytics.NewSink(store, emb, key).Sync(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	chb, err := clickhouse.Open(t.Context(), ch.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer chb.Close()
	if cp, err := chb.Checkpoint(t.Context(), analytics.DefaultSinkName); err != nil || cp != head {
		t.Fatalf("clickhouse checkpoint %d (%v), want the head %d", cp, err, head)
	}
	if n := analyticstest.AssertSameReports(t, analytics.NewReporter(emb), analytics.NewReporter(chb)); n < 30 {
		t.Fatalf("only %d report tables had rows", n)
	}
}

// waitSink waits (up to two minutes: the sink retries with a back-off of
// up to 30 s while its back end is down) for the sink to reach want.
func waitSink(t *testing.T, base string, want float64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if metricValue(t, base, "ledger_analytics_sink_position") >= want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the analytics sink never reached %v (at %v)", want, metricValue(t, base, "ledger_analytics_sink_position"))
}

// TestReportCatchesUpAndSaysHowCurrent: right after `ledger demo` a
// report brings the embedded analytics store up to the ledger first and
// says so; while a server holds the ledger it leaves the store to the
// server's sink and says how far behind it is.
func TestReportCatchesUpAndSaysHowCurrent(t *testing.T) {
	dir := demoLedger(t)
	from := time.Now().AddDate(0, 0, -40).Format("2006-01-02")
	out, err := ledger(t, "report", "channel_volume", "--data", dir, "--from", from, "--group-by", "channel", "--format", "json", "--quiet")
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	var res struct {
		Rows []map[string]any
		AsOf struct{ Position, LedgerHead uint64 }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	total := 0.0
	for _, r := range res.Rows {
		total += r["interactions"].(float64)
	}
	if total != 80 || res.AsOf.Position == 0 || res.AsOf.Position != res.AsOf.LedgerHead {
		t.Fatalf("right after the demo: %v interactions as of %+v, want the demo's 80 at the head", total, res.AsOf)
	}

	// A server's writer holds the ledger and appends: the report does not
	// write the store under its sink, and says what it lacks.
	store, err := openStoreToWrite(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := commands.NewHandler(store)
	if _, err := h.Agent(t.Context(), "late-agent", domain.RegisterAgent{AgentID: "late-agent", Name: "Late", Skills: map[string]int{"billing": 1}}, commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	out, err = ledger(t, "report", "channel_volume", "--data", dir, "--from", from, "--quiet")
	want := fmt.Sprintf("as of ledger position %d of %d: 1 event not in the analytics store yet", res.AsOf.Position, res.AsOf.Position+1)
	if err != nil || !strings.Contains(out, want) {
		t.Fatalf("report beside a server: %v\n%s\nwant %q", err, out, want)
	}
}
