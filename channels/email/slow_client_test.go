package email_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/email"
)

// TestDataNotFinishedWithinReadTimeoutIsHungUpOn: a client that trickles
// a message and never sends the final "." gets 421 once the read
// timeout after DATA has passed, its connection is closed (go-smtp alone
// would go on reading the trickle as commands, a timeout each), and
// nothing is recorded.
func TestDataNotFinishedWithinReadTimeoutIsHungUpOn(t *testing.T) {
	l := newLedger(t)
	const timeout = 500 * time.Millisecond
	addr := startServer(t, l, email.ServerConfig{ReadTimeout: timeout})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, cmd := range []string{"", "HELO slow.example\r\n", "MAIL FROM:<slow@example.com>\r\n", "RCPT TO:<support@example.com>\r\n", "DATA\r\n"} {
		if _, err := conn.Write([]byte(cmd)); err != nil {
			t.Fatal(err)
		}
		if line, err := r.ReadString('\n'); err != nil || (line[0] != '2' && line[0] != '3') {
			t.Fatalf("after %q: %q %v", cmd, line, err)
		}
	}
	start := time.Now()
	replies := make(chan string, 1)
	go func() {
		var got []string
		for {
			line, err := r.ReadString('\n')
			if s := strings.TrimSpace(line); s != "" {
				got = append(got, s)
			}
			if err != nil {
				replies <- strings.Join(got, " | ")
				return
			}
		}
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case got := <-replies:
			if !strings.HasPrefix(got, "421 ") || strings.Contains(got, "|") {
				t.Fatalf("the server answered %q before it closed the connection, want one 421", got)
			}
			if waited := time.Since(start); waited > 4*timeout {
				t.Fatalf("the connection was closed %s after DATA, want about %s", waited, timeout)
			}
			if n := len(l.received(t)); n != 0 {
				t.Fatalf("%d messages recorded from a client that never finished DATA", n)
			}
			return
		case <-tick.C:
			_, _ = conn.Write([]byte("x"))
		case <-time.After(10 * timeout):
			t.Fatalf("the connection is still open %s after DATA", 10*timeout)
		}
	}
}
