package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBenchApp runs the app channel's load tool, small, against an
// in-process server: every message is acknowledged and recorded, and the
// report names its figures.
func TestBenchApp(t *testing.T) {
	srv, base := serveChannels(t, t.TempDir(), newProviders(t, testAppPushSecret))
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	out, err := ledger(t, "bench", "app", "--url", base, "--app-server-key", testAppServerKey, "--pid", strconv.Itoa(os.Getpid()),
		"--clients", "4", "--customers", "10", "--duration", "300ms", "--quiet")
	if err != nil {
		t.Fatalf("bench app: %v\n%s", err, out)
	}
	for _, want := range []string{"4 clients, 10 returning customers", "first messages (new customers): 10 in", ", 0 failed", "post->ack latency: p50", "µs a message", "server peak RSS"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if n := countEvents(t, srv, "CustomerRegistered"); n != 10 {
		t.Errorf("%d customers registered, want 10", n)
	}
	if n := countEvents(t, srv, "MessageReceived"); n <= 10 {
		t.Errorf("%d messages in the ledger, want more than the 10 first ones", n)
	}
	if _, err := ledger(t, "bench", "app", "--url", base, "--clients", "4"); exitCode(err) != 2 {
		t.Errorf("--url without the server key: exit %d, want 2", exitCode(err))
	}
	if _, err := ledger(t, "bench", "app", "--clients", "8", "--customers", "4"); exitCode(err) != 2 {
		t.Errorf("fewer customers than clients: exit %d, want 2", exitCode(err))
	}
}
