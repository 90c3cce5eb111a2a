package email_test

import (
	"errors"
	"fmt"
	"net"
	netsmtp "net/smtp"
	"net/textproto"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/email"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// sendFrom delivers one message with net/smtp from the local address ip
// and returns the reply code of the first refusal (0: accepted).
func sendFrom(t *testing.T, ip, addr, from, msgID string, headers ...string) (int, string) {
	t.Helper()
	conn, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := netsmtp.NewClient(conn, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw := fmt.Sprintf("From: <%s>\r\nTo: <support@example.com>\r\nSubject: help\r\nMessage-ID: <%s>\r\n%s\r\nhello\r\n",
		from, msgID, strings.Join(append(headers, ""), "\r\n"))
	err = func() error {
		if err := c.Mail(from); err != nil {
			return err
		}
		if err := c.Rcpt("support@example.com"); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(raw)); err != nil {
			return err
		}
		return w.Close()
	}()
	_ = c.Quit()
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code, te.Msg
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, ""
}

// TestClientFloodIsCutOff: a client address over its rate gets 451 4.7.1
// at MAIL FROM; another address is served.
func TestClientFloodIsCutOff(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{Limits: limit.NewGuard(limit.GuardConfig{PerSource: limit.Rate{PerSecond: 0.01, Burst: 2}})})
	for n := range 4 {
		code, msg := sendFrom(t, "127.0.0.1", addr, fmt.Sprintf("c%d@example.net", n), fmt.Sprintf("c%d@example.net", n))
		if n < 2 && code != 0 || n >= 2 && (code != 451 || !strings.Contains(msg, "try again")) {
			t.Fatalf("message %d: %d %q", n, code, msg)
		}
	}
	if code, msg := sendFrom(t, "127.0.0.2", addr, "other@example.net", "o1@example.net"); code != 0 {
		t.Fatalf("another address: %d %q", code, msg)
	}
	if n := len(l.received(t)); n != 3 {
		t.Fatalf("%d messages recorded, want 3", n)
	}
}

// TestSenderFloodIsCutOff: one sender over its rate gets 451 4.7.1 after
// DATA, whichever address it comes from; another sender is served.
func TestSenderFloodIsCutOff(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{Limits: limit.NewGuard(limit.GuardConfig{PerIdentity: limit.Rate{PerSecond: 0.01, Burst: 2}})})
	for n := range 4 {
		code, msg := sendFrom(t, fmt.Sprint("127.0.0.", n+1), addr, "flood@example.net", fmt.Sprintf("f%d@example.net", n))
		if n < 2 && code != 0 || n >= 2 && code != 451 {
			t.Fatalf("message %d: %d %q", n, code, msg)
		}
	}
	if code, msg := sendFrom(t, "127.0.0.1", addr, "other@example.net", "o1@example.net"); code != 0 {
		t.Fatalf("another sender: %d %q", code, msg)
	}
	if n := len(l.received(t)); n != 3 {
		t.Fatalf("%d messages recorded, want 3", n)
	}
}

// TestConversationCapBounces: over the interaction's message cap the
// client gets a permanent 550 5.7.1 (the customer learns at once), and
// supervisors get one InteractionLimitReached.
func TestConversationCapBounces(t *testing.T) {
	l := newLedger(t)
	l.handler = commands.NewHandler(l.store, commands.WithLogger(quiet), commands.WithInteractionLimits(domain.InteractionLimits{MaxMessages: 1}))
	addr := startServer(t, l, email.ServerConfig{})
	if code, msg := sendFrom(t, "127.0.0.1", addr, "cap@example.net", "cap1@example.net"); code != 0 {
		t.Fatalf("first: %d %q", code, msg)
	}
	if code, msg := sendFrom(t, "127.0.0.1", addr, "cap@example.net", "cap2@example.net", "In-Reply-To: <cap1@example.net>"); code != 550 || !strings.Contains(msg, "limit") {
		t.Fatalf("over the cap: %d %q", code, msg)
	}
	n := 0
	for _, r := range l.events(t) {
		if _, ok := r.event.(domain.InteractionLimitReached); ok {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d InteractionLimitReached, want 1", n)
	}
}
