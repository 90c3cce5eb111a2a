package email_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/email"
	"github.com/interactionledger/ledger/domain"
)

// TestInboundMailLandsInTheLedger delivers real-world-like mail through an
// SMTP client and checks what the ledger holds: one customer for one
// address however it is written, one interaction per thread, Chinese text
// and subjects decoded, attachments as metadata.
func TestInboundMailLandsInTheLedger(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{})

	for _, f := range []string{"gb2312_base64.eml", "reply_threaded.eml", "attachments.eml", "gbk_quoted_printable.eml"} {
		if err := deliver(t, addr, "bounce@example.cn", fixture(t, f)); err != nil {
			t.Fatalf("deliver %s: %v", f, err)
		}
	}

	msgs := l.received(t)
	first := msgs["20250106100000.1234@mail.example.cn"]
	reply := msgs["20250106180000.5678@mail.example.cn"]
	withFiles := msgs["attach-0001@example.cn"]
	gbk := msgs["gbk-qp-0001@example.cn"]
	if first.Text != "您好，我的订单还没有发货。\n请尽快处理，谢谢！" {
		t.Errorf("GB2312 base64 text = %q", first.Text)
	}
	if gbk.Text != "我叫王珺，订单号 A123，商品有质量问题，申请退款。朱镕基、王堃都说好。" {
		t.Errorf("GBK quoted-printable text = %q", gbk.Text)
	}
	if reply.InteractionID == "" || reply.InteractionID != first.InteractionID {
		t.Errorf("the reply landed in interaction %q, the thread is in %q", reply.InteractionID, first.InteractionID)
	}
	if withFiles.InteractionID == first.InteractionID {
		t.Error("a new thread from the same customer continued the old interaction")
	}
	if got := len(withFiles.Attachments); got != 3 {
		t.Fatalf("attachments = %+v, want 3", withFiles.Attachments)
	}
	if pdf := withFiles.Attachments[1]; pdf.Name != "发票.pdf" || pdf.ContentType != "application/pdf" || pdf.Size != 290 || len(pdf.SHA256) != 64 {
		t.Errorf("PDF attachment = %+v", pdf)
	}

	started := l.interactions(t)
	if len(started) != 3 {
		t.Fatalf("%d interactions, want 3 (two threads of Li Lei, one of Wang Jun)", len(started))
	}
	lilei := started[first.InteractionID]
	if lilei.Channel != domain.ChannelEmail || lilei.Identity != (domain.Identity{Kind: domain.IdentityEmail, Value: "lilei@example.cn"}) || lilei.Subject != "关于订单的问题" {
		t.Errorf("first interaction = %+v", lilei)
	}
	if other := started[withFiles.InteractionID]; other.CustomerID != lilei.CustomerID {
		t.Errorf("LiLei@Example.CN and lilei@example.cn are two customers: %s, %s", lilei.CustomerID, other.CustomerID)
	}
	if started[gbk.InteractionID].CustomerID == lilei.CustomerID {
		t.Error("two senders were taken for one customer")
	}
	customers := map[string]string{}
	for _, r := range l.events(t) {
		if c, ok := r.event.(domain.CustomerRegistered); ok {
			customers[c.CustomerID] = c.DisplayName
		}
	}
	if len(customers) != 2 || customers[lilei.CustomerID] != "李雷" {
		t.Errorf("customers = %v, want 李雷 and one more", customers)
	}
	// Every event of a thread carries the thread's root as correlation.
	for _, r := range l.events(t) {
		if m, ok := r.event.(domain.MessageReceived); ok && m.InteractionID == first.InteractionID && r.meta.CorrelationID != "email:20250106100000.1234@mail.example.cn" {
			t.Errorf("message %s correlation = %q", m.MessageID, r.meta.CorrelationID)
		}
	}
}

// TestRedeliveryAppendsNothing: a client that did not see the 250 sends
// the message again; the ledger must not change, also for a message
// without Message-ID, whose id is derived from its content.
func TestRedeliveryAppendsNothing(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{})
	for _, f := range []string{"gb2312_base64.eml", "no_message_id.eml"} {
		t.Run(f, func(t *testing.T) {
			raw := fixture(t, f)
			if err := deliver(t, addr, "", raw); err != nil {
				t.Fatal(err)
			}
			head := l.head(t)
			// The relay's retry carries a new trace field.
			again := append([]byte("Received: from relay2.example by mx.example; Sun, 12 Jan 2025 00:00:00 +0000\r\n"), raw...)
			if err := deliver(t, addr, "", again); err != nil {
				t.Fatalf("redelivery refused: %v", err)
			}
			if got := l.head(t); got != head {
				t.Errorf("redelivery appended events %d..%d", head+1, got)
			}
		})
	}
	if got := len(l.received(t)); got != 2 {
		t.Errorf("%d messages recorded, want 2", got)
	}
}

// TestInboundRefusals: what can never be accepted gets a 5xx reply and
// leaves the ledger untouched.
func TestInboundRefusals(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{MaxMessageBytes: 4096, MaxRecipients: 3})
	big := "From: a@example.com\r\nMessage-ID: <big@example.com>\r\n\r\n" + strings.Repeat(strings.Repeat("x", 70)+"\r\n", 80)
	longLine := "From: a@example.com\r\nMessage-ID: <long-line@example.com>\r\n\r\n" + strings.Repeat("x", 2500) + "\r\n"
	cases := []struct {
		name     string
		raw      []byte
		envelope string
		code     int
	}{
		{"broken boundary", fixture(t, "broken_boundary.eml"), "", 554},
		{"unterminated multipart", fixture(t, "unterminated_multipart.eml"), "", 554},
		{"bad base64", fixture(t, "bad_base64.eml"), "", 554},
		{"multipart without boundary", fixture(t, "multipart_no_boundary.eml"), "", 554},
		{"over the size limit", []byte(big), "a@example.com", 552},
		{"line over 2000 bytes", []byte(longLine), "", 554},
		{"no sender at all", []byte("To: support@example.com\r\nMessage-ID: <anon@x>\r\n\r\nhello\r\n"), "", 550},
		{"sender address unusable", []byte("From: not an address\r\nMessage-ID: <bad-from@x>\r\n\r\nhello\r\n"), "", 550},
		{"our own reply come back", []byte("From: Support <support@example.com>\r\nMessage-ID: <loop@x>\r\n\r\nhello\r\n"), "", 550},
		{"nothing in it", []byte("From: a@example.com\r\nMessage-ID: <empty@x>\r\n\r\n\r\n"), "", 554},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			head := l.head(t)
			err := deliver(t, addr, tc.envelope, tc.raw)
			if code := smtpCode(err); code != tc.code {
				t.Errorf("reply %v (code %d), want %d", err, code, tc.code)
			}
			if got := l.head(t); got != head {
				t.Errorf("a refused message appended events %d..%d", head+1, got)
			}
		})
	}
	t.Run("too many recipients", func(t *testing.T) {
		rcpts := make([]string, 4)
		for i := range rcpts {
			rcpts[i] = fmt.Sprintf("r%d@example.com", i)
		}
		err := deliver(t, addr, "", fixture(t, "gb2312_base64.eml"), rcpts...)
		if code := smtpCode(err); code != 452 {
			t.Errorf("4th RCPT answered %v, want 452", err)
		}
	})
	// After every refusal the server still takes good mail.
	if err := deliver(t, addr, "", fixture(t, "gb2312_base64.eml")); err != nil {
		t.Fatalf("good mail after refusals: %v", err)
	}
}

// TestSecondParticipantGetsOwnInteraction: a colleague on Cc answering in
// the customer's thread must not write into the customer's interaction.
func TestSecondParticipantGetsOwnInteraction(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{})
	if err := deliver(t, addr, "", fixture(t, "gb2312_base64.eml")); err != nil {
		t.Fatal(err)
	}
	colleague := "From: Han Meimei <hanmeimei@example.cn>\r\nMessage-ID: <cc-1@example.cn>\r\n" +
		"In-Reply-To: <20250106100000.1234@mail.example.cn>\r\nReferences: <20250106100000.1234@mail.example.cn>\r\n\r\nI am on Cc.\r\n"
	if err := deliver(t, addr, "", []byte(colleague)); err != nil {
		t.Fatal(err)
	}
	msgs := l.received(t)
	if msgs["cc-1@example.cn"].InteractionID == msgs["20250106100000.1234@mail.example.cn"].InteractionID {
		t.Error("the colleague's message landed in the customer's interaction")
	}
}
