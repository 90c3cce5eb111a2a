package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

// ledger runs the binary's main logic in-process and returns its output.
func ledger(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), args, &out)
	return out.String(), err
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 1
	}
	return 0
}

// requireTool returns the path of an outside program the test drives. Under
// CI the test command installs it, so its absence is a failure there.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found; `make test` installs it", name)
		}
		t.Skipf("%s not installed (run make test-deps)", name)
	}
	return path
}

func demoLedger(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := ledger(t, "demo", "--data", dir, "--customers", "25", "--interactions", "80", "--seed", "7", "--quiet")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if !strings.Contains(out, "80 interactions") {
		t.Fatalf("demo summary %q does not report 80 interactions", out)
	}
	return dir
}

func TestVerifyNamesTheTamperedEvent(t *testing.T) {
	sqlite3 := requireTool(t, "sqlite3")
	dir := demoLedger(t)
	out, err := ledger(t, "verify", "--data", dir, "--quiet")
	if err != nil || !strings.HasPrefix(out, "OK:") {
		t.Fatalf("verify on an untouched ledger: %v\n%s", err, out)
	}

	// Change one byte of one event's data the way someone with the file
	// would: with the sqlite3 CLI, dropping the immutability trigger first.
	db := filepath.Join(dir, eventsFile)
	const victim = 37
	var id string
	query := fmt.Sprintf(`SELECT event_id FROM events WHERE position = %d;`, victim)
	if b, err := exec.Command(sqlite3, db, query).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v %s", err, b)
	} else {
		id = strings.TrimSpace(string(b))
	}
	tamper := fmt.Sprintf(`DROP TRIGGER events_no_update;
		UPDATE events SET data = substr(data, 1, 10) || char(unicode(substr(data, 11, 1)) + 1) || substr(data, 12) WHERE position = %d;`, victim)
	if b, err := exec.Command(sqlite3, db, tamper).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3 tamper: %v %s", err, b)
	}

	out, err = ledger(t, "verify", "--data", dir, "--quiet")
	if exitCode(err) != 1 {
		t.Fatalf("verify on a tampered ledger exited %d (%v), want 1\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(out, fmt.Sprintf("position %d,", victim)) || !strings.Contains(out, id) {
		t.Fatalf("verify output does not name position %d / event %s:\n%s", victim, id, out)
	}
}

func TestReplayShowsStateAsOfATime(t *testing.T) {
	dir := demoLedger(t)
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ticket := firstStream(t, store, "ticket-")
	events, err := store.ReadStream(t.Context(), ticket, 0, 100)
	store.Close()
	if err != nil || len(events) < 3 {
		t.Fatalf("ticket stream %s: %d events, %v", ticket, len(events), err)
	}
	cut := events[1].RecordedAt
	out, err := ledger(t, "replay", "--data", dir, "--stream", ticket, "--as-of", cut.Format(time.RFC3339Nano))
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	var rep struct {
		Events []struct{ Version int64 }
		State  struct {
			ID     string
			Status string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("replay output is not JSON: %v\n%s", err, out)
	}
	want := 0
	for _, e := range events {
		if !e.RecordedAt.After(cut) {
			want++
		}
	}
	if len(rep.Events) != want || rep.State.Status == "" || !strings.HasSuffix(ticket, rep.State.ID) {
		t.Fatalf("replay as of %s: %d events, state %+v; want %d events and the ticket's state", cut, len(rep.Events), rep.State, want)
	}

	_, err = ledger(t, "replay", "--data", dir, "--stream", ticket, "--as-of", "yesterday")
	if exitCode(err) != 2 {
		t.Fatalf("bad --as-of: exit %d, want 2", exitCode(err))
	}
	_, err = ledger(t, "replay", "--data", filepath.Join(dir, "missing"), "--stream", ticket)
	if err == nil {
		t.Fatal("replay on a missing data directory succeeded")
	}
}

func firstStream(t *testing.T, store eventstore.Store, prefix string) string {
	t.Helper()
	page, err := store.ReadAll(t.Context(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page {
		if strings.HasPrefix(e.Stream, prefix) {
			return e.Stream
		}
	}
	t.Fatalf("no %s stream in the demo ledger", prefix)
	return ""
}

func TestServeHealthReadinessMetrics(t *testing.T) {
	dir := demoLedger(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	srv, err := startServer(ctx, serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	admin := "http://" + srv.adminAddr
	waitFor(t, admin+"/readyz", http.StatusOK)
	for path, want := range map[string]string{
		"/healthz": "ok",
		"/metrics": "ledger_projection_lag_events",
	} {
		body, status := get(t, admin+path)
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, body lacks %q", path, status, want)
		}
		// The public listener, beside the webhooks, serves none of them.
		if body, status := get(t, "http://"+srv.addr+path); status != http.StatusNotFound {
			t.Errorf("GET %s on the public listener: %d %q, want 404", path, status, body)
		}
	}
	if body, _ := get(t, admin+"/metrics"); !strings.Contains(body, "ledger_aggregate_cache_hits_total") {
		t.Error("/metrics lacks the aggregate cache's metrics")
	}
	if body, status := get(t, "http://"+srv.addr+"/readyz"); status != http.StatusNotFound {
		t.Errorf("GET /readyz on the public listener: %d %q, want 404", status, body)
	}
	if err := srv.shutdown(5 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestServeWithoutAdminListener: without --admin-http the operational
// endpoints are served nowhere.
func TestServeWithoutAdminListener(t *testing.T) {
	dir := t.TempDir()
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.shutdown(5 * time.Second) }()
	if srv.adminAddr != "" {
		t.Errorf("admin listener on %s without --admin-http", srv.adminAddr)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if body, status := get(t, "http://"+srv.addr+path); status != http.StatusNotFound {
			t.Errorf("GET %s on the public listener: %d %q, want 404", path, status, body)
		}
	}
}

// TestHealthzHidesInternals: when the event store fails, /healthz answers
// 503 without the error's text.
func TestHealthzHidesInternals(t *testing.T) {
	dir := t.TempDir()
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	admin := "http://" + srv.adminAddr
	waitFor(t, admin+"/readyz", http.StatusOK)
	_ = srv.store.Close() // the store fails from now on
	body, status := get(t, admin+"/healthz")
	if status != http.StatusServiceUnavailable || strings.TrimSpace(body) != "unavailable" {
		t.Errorf("healthz with a closed store: %d %q, want 503 \"unavailable\" and nothing more", status, body)
	}
	_ = srv.shutdown(5 * time.Second)
}

// TestSIGTERMLosesNothing runs the real binary with live demo traffic,
// stops it with SIGTERM, and checks it exits cleanly with an intact,
// verifiable ledger.
func TestSIGTERMLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "ledger")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--data", dir, "--http", "127.0.0.1:0", "--demo", "--demo-pace", "20ms", "--demo-customers", "50")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 256)
	n, _ := stdout.Read(line)
	if !strings.Contains(string(line[:n]), "serving on http://") {
		_ = cmd.Process.Kill()
		t.Fatalf("serve printed %q", line[:n])
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM", err)
	}
	out, err := ledger(t, "verify", "--data", dir, "--quiet")
	if err != nil {
		t.Fatalf("verify after SIGTERM: %v\n%s", err, out)
	}
	if strings.HasPrefix(out, "OK: 0 events") {
		t.Fatal("the demo traffic wrote nothing before SIGTERM")
	}
}

func waitFor(t *testing.T, url string, status int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, got := get(t, url); got == status {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d", url, status)
}

func get(t *testing.T, url string) (string, int) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return err.Error(), 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

// TestDemoAggregateCacheFlag: --aggregate-cache takes a count of entries,
// 0 turns the cache off, a negative count is a usage error.
func TestDemoAggregateCacheFlag(t *testing.T) {
	for _, tc := range []struct {
		value string
		code  int
	}{{"-1", 2}, {"0", 0}, {"3", 0}} {
		out, err := ledger(t, "demo", "--data", t.TempDir(), "--customers", "5", "--interactions", "10", "--quiet", "--aggregate-cache", tc.value)
		if code := exitCode(err); code != tc.code {
			t.Errorf("demo --aggregate-cache %s: exit %d (%v), want %d\n%s", tc.value, code, err, tc.code, out)
		}
		if tc.code == 0 && !strings.Contains(out, "10 interactions") {
			t.Errorf("demo --aggregate-cache %s: summary %q", tc.value, out)
		}
	}
	if code := exitCode(runServe(t.Context(), []string{"--data", t.TempDir(), "--aggregate-cache", "-5"}, io.Discard)); code != 2 {
		t.Errorf("serve --aggregate-cache -5: exit %d, want 2", code)
	}
	var out strings.Builder
	if code := exitCode(runServe(t.Context(), []string{"--data", t.TempDir(), "--analytics-cache", "-1"}, &out)); code != 2 {
		t.Errorf("serve --analytics-cache -1: exit %d, want 2\n%s", code, out.String())
	}
}

// TestServeRebuildsDamagedReadModels is the drill of read models damaged
// while the server was stopped: serve starts all the same, rebuilds them
// from the ledger (ready once caught up), and answers from them.
func TestServeRebuildsDamagedReadModels(t *testing.T) {
	dir := demoLedger(t)
	serveOnce := func() *server {
		t.Helper()
		srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
		waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
		return srv
	}
	srv := serveOnce()
	page, err := srv.readDB.Customers(t.Context(), "", 100, "")
	if err != nil || len(page.Customers) == 0 {
		t.Fatalf("customers before: %d, %v", len(page.Customers), err)
	}
	before := len(page.Customers)
	if err := srv.shutdown(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, readModelsFile)
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
	if err := os.WriteFile(path, bytes.Repeat([]byte("damaged "), 4096), 0o600); err != nil {
		t.Fatal(err)
	}

	srv = serveOnce()
	defer func() { _ = srv.shutdown(5 * time.Second) }()
	page, err = srv.readDB.Customers(t.Context(), "", 100, "")
	if err != nil || len(page.Customers) != before {
		t.Fatalf("customers after the rebuild: %d, %v; want %d", len(page.Customers), err, before)
	}
}
