package email_test

import (
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/email"
)

// TestReusedMessageIDWithOtherContentIsRefused: a second message under a
// Message-ID already recorded, with other content, is refused for good
// over SMTP (554: not 250, which would claim it was recorded, nor 451,
// which would have the sender retry it forever) and appends nothing. The
// same message again is still accepted as a redelivery.
func TestReusedMessageIDWithOtherContentIsRefused(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{})
	msg := func(body string) []byte {
		return []byte("From: Li Wei <li.wei@example.com>\r\nTo: support@example.com\r\nSubject: Refund\r\n" +
			"Message-ID: <reused-1@mail.example.com>\r\nDate: Sun, 12 Jan 2025 08:00:00 +0800\r\n\r\n" + body + "\r\n")
	}
	if err := deliver(t, addr, "", msg("Where is my refund?")); err != nil {
		t.Fatal(err)
	}
	head := l.head(t)
	if err := deliver(t, addr, "", msg("Where is my refund?")); err != nil {
		t.Fatalf("a redelivery of the same message: %v", err)
	}
	err := deliver(t, addr, "", msg("Also, my address changed."))
	if code := smtpCode(err); code != 554 {
		t.Fatalf("reply %v (code %d), want 554", err, code)
	}
	if !strings.Contains(err.Error(), "Message-ID") {
		t.Errorf("reply %q does not say why", err)
	}
	if got := l.head(t); got != head {
		t.Errorf("a refused message appended events %d..%d", head+1, got)
	}
	if got := len(l.received(t)); got != 1 {
		t.Errorf("%d messages recorded, want 1", got)
	}
}
