package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBenchWebchat runs the load tool, small, against an in-process
// server: every message is acknowledged and the report names its figures.
func TestBenchWebchat(t *testing.T) {
	srv, base := serveChannels(t, t.TempDir(), newProviders(t, testAppPushSecret))
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	url := "ws" + strings.TrimPrefix(base, "http") + "/channels/webchat"
	out, err := ledger(t, "bench", "webchat", "--url", url, "--admin", "http://"+srv.adminAddr, "--pid", strconv.Itoa(os.Getpid()),
		"--clients", "20", "--messages", "3", "--interval", "20ms", "--quiet")
	if err != nil {
		t.Fatalf("bench webchat: %v\n%s", err, out)
	}
	for _, want := range []string{"clients 20 connected", "(0 failed)", "messages 60 acked", "(0 error frames, 0 sockets dropped)", "p99", "server frame read->appended", "server peak RSS"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if n := countEvents(t, srv, "MessageReceived"); n != 60 {
		t.Errorf("%d messages in the ledger, want 60", n)
	}
	if _, err := ledger(t, "bench", "webchat", "--clients", "0"); exitCode(err) != 2 {
		t.Errorf("--clients 0: exit %d, want 2", exitCode(err))
	}
}
