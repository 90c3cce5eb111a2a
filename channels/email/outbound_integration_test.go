package email_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/interactionledger/ledger/channels/email"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// parsedReply is a reply as the relay received it.
type parsedReply struct {
	from, to, subject, messageID, inReplyTo string
	references                              []string
	text                                    string
}

func parseReply(t *testing.T, raw []byte) parsedReply {
	t.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := mr.Header
	var r parsedReply
	from, _ := h.AddressList("From")
	to, _ := h.AddressList("To")
	if len(from) != 1 || len(to) != 1 {
		t.Fatalf("From %v To %v", from, to)
	}
	r.from, r.to = from[0].Address, to[0].Address
	r.subject, _ = h.Subject()
	r.messageID, _ = h.MessageID()
	irt, _ := h.MsgIDList("In-Reply-To")
	r.inReplyTo = strings.Join(irt, " ")
	r.references, _ = h.MsgIDList("References")
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p.Body)
	r.text = strings.TrimSuffix(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n")
	return r
}

// sendReply appends an agent's reply, as the agent desktop would.
func sendReply(t *testing.T, l *ledger, interactionID, text string) {
	t.Helper()
	_, err := l.handler.Interaction(t.Context(), interactionID, commands.Meta{Actor: "agent:a1"},
		domain.SendMessage{AgentID: "a1", Text: text})
	if err != nil {
		t.Fatal(err)
	}
}

// startDispatcher runs the outbound dispatcher with the email sender for
// the EMAIL channel, from the ledger's current head.
func startDispatcher(t *testing.T, l *ledger, sender outbound.Sender) {
	t.Helper()
	cp := &follow.MemoryCheckpoint{}
	if err := cp.Save(t.Context(), l.head(t)); err != nil {
		t.Fatal(err)
	}
	d, err := outbound.New(outbound.Config{
		Store: l.store, Checkpoints: cp, Logger: quiet,
		Senders:        map[domain.Channel]outbound.Sender{domain.ChannelEmail: sender},
		InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxAttempts: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dispatcher: %v", err)
		}
	})
}

// deliveries waits until the delivery record of interaction holds n
// settled attempts and returns its events.
func deliveries(t *testing.T, l *ledger, interaction string, n int) []domain.Event {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		raw, err := l.store.ReadStream(t.Context(), domain.DeliveryStream(interaction), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var out []domain.Event
		for _, r := range raw {
			e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery record of %s holds %d events, want %d", interaction, len(out), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRepliesThroughRelay runs the whole loop: a customer's mail comes in
// over SMTP, an agent replies, the outbound dispatcher hands the reply to
// the email sender, which gives it to the relay (a local SMTP sink) with
// the threading headers; the dispatcher records the delivery. The
// customer's answer, even from a client that sets only In-Reply-To, lands
// in the same interaction, and the next reply threads after it.
func TestRepliesThroughRelay(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{})
	relaySink, relayAddr := startSink(t, sinkOptions{})
	relay, err := email.NewRelay(email.RelayConfig{Addr: relayAddr, HeloName: "ledger.test"})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := email.NewSender(l.store, relay, email.SenderConfig{From: "客服中心 <support@example.com>", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	startDispatcher(t, l, sender)

	const first = "20250106100000.1234@mail.example.cn"
	if err := deliver(t, addr, "", fixture(t, "gb2312_base64.eml")); err != nil {
		t.Fatal(err)
	}
	interaction := l.received(t)[first].InteractionID
	sendReply(t, l, interaction, "您好，已为您催促发货。")

	got := relaySink.next(t)
	if got.from != "support@example.com" || strings.Join(got.to, ",") != "lilei@example.cn" {
		t.Errorf("envelope %s -> %v", got.from, got.to)
	}
	r1 := parseReply(t, got.raw)
	want := parsedReply{from: "support@example.com", to: "lilei@example.cn", subject: "Re: 关于订单的问题",
		inReplyTo: first, references: []string{first}, text: "您好，已为您催促发货。"}
	checkReply(t, r1, want)
	if !strings.HasSuffix(r1.messageID, "@example.com") || !strings.HasPrefix(r1.messageID, "ledger.") {
		t.Errorf("Message-ID %q is not ours", r1.messageID)
	}
	if rec, ok := deliveries(t, l, interaction, 1)[0].(domain.MessageDelivered); !ok || rec.ProviderMessageID != r1.messageID || rec.Channel != domain.ChannelEmail {
		t.Errorf("delivery record = %+v, want MessageDelivered with Message-ID %s", rec, r1.messageID)
	}

	// The customer answers from a client that writes only In-Reply-To.
	answer := "From: lilei@example.cn\r\nMessage-ID: <answer-2@mail.example.cn>\r\nIn-Reply-To: <" + r1.messageID + ">\r\n" +
		"Subject: Re: 关于订单的问题\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n收到，谢谢。\r\n"
	if err := deliver(t, addr, "", []byte(answer)); err != nil {
		t.Fatal(err)
	}
	if got := l.received(t)["answer-2@mail.example.cn"].InteractionID; got != interaction {
		t.Fatalf("the answer to our reply landed in %q, the thread is %q", got, interaction)
	}

	sendReply(t, l, interaction, "不客气。")
	r2 := parseReply(t, relaySink.next(t).raw)
	checkReply(t, r2, parsedReply{from: "support@example.com", to: "lilei@example.cn", subject: "Re: 关于订单的问题",
		inReplyTo: "answer-2@mail.example.cn", references: []string{first, r1.messageID, "answer-2@mail.example.cn"}, text: "不客气。"})
	if r2.messageID == r1.messageID {
		t.Error("two replies share a Message-ID")
	}

	// A customer client that keeps References threads too.
	third := "From: lilei@example.cn\r\nMessage-ID: <answer-3@mail.example.cn>\r\nIn-Reply-To: <" + r2.messageID + ">\r\n" +
		"References: <" + strings.Join(r2.references, "> <") + "> <" + r2.messageID + ">\r\n\r\nOne more thing.\r\n"
	if err := deliver(t, addr, "", []byte(third)); err != nil {
		t.Fatal(err)
	}
	if got := l.received(t)["answer-3@mail.example.cn"].InteractionID; got != interaction {
		t.Errorf("a reply with References landed in %q, the thread is %q", got, interaction)
	}
}

// TestRefusedReplyIsRecordedAsGivenUp: a relay refusing the recipient for
// good (550) ends the reply's attempts at once, and the dispatcher records
// it as a permanent failure.
func TestRefusedReplyIsRecordedAsGivenUp(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{})
	_, relayAddr := startSink(t, sinkOptions{refuse: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}})
	relay, _ := email.NewRelay(email.RelayConfig{Addr: relayAddr})
	sender, err := email.NewSender(l.store, relay, email.SenderConfig{From: "support@example.com", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	startDispatcher(t, l, sender)
	if err := deliver(t, addr, "", fixture(t, "gb2312_base64.eml")); err != nil {
		t.Fatal(err)
	}
	interaction := l.received(t)["20250106100000.1234@mail.example.cn"].InteractionID
	sendReply(t, l, interaction, "reply to an address that does not exist")
	failed, ok := deliveries(t, l, interaction, 1)[0].(domain.MessageDeliveryFailed)
	if !ok || !failed.Permanent || !failed.GaveUp || failed.Attempt != 1 || !strings.Contains(failed.Reason, "550") {
		t.Errorf("delivery record = %+v, want one permanent failure given up", failed)
	}
}

func checkReply(t *testing.T, got, want parsedReply) {
	t.Helper()
	if got.from != want.from || got.to != want.to || got.subject != want.subject || got.inReplyTo != want.inReplyTo || got.text != want.text ||
		strings.Join(got.references, " ") != strings.Join(want.references, " ") {
		t.Errorf("reply\n got %+v\nwant %+v (Message-ID aside)", got, want)
	}
}

// TestSendIsDeterministic: sending the same MessageSent again (a
// dispatcher's retry) sends the very same message, byte for byte, even
// after the customer wrote again in between.
func TestSendIsDeterministic(t *testing.T) {
	l := newLedger(t)
	addr := startServer(t, l, email.ServerConfig{})
	relaySink, relayAddr := startSink(t, sinkOptions{})
	relay, _ := email.NewRelay(email.RelayConfig{Addr: relayAddr})
	sender, err := email.NewSender(l.store, relay, email.SenderConfig{From: "support@example.com", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := deliver(t, addr, "", fixture(t, "gb2312_base64.eml")); err != nil {
		t.Fatal(err)
	}
	interaction := l.received(t)["20250106100000.1234@mail.example.cn"].InteractionID
	sendReply(t, l, interaction, "first reply")
	d := lastDelivery(t, l)
	a, err := sender.Send(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	if err := deliver(t, addr, "", fixture(t, "reply_threaded.eml")); err != nil {
		t.Fatal(err)
	}
	d.Attempt++
	b, err := sender.Send(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	// Delivery records stay in clear after an erasure: no address in them.
	if strings.Contains(a.Detail, "@") {
		t.Errorf("receipt detail %q names the recipient", a.Detail)
	}
	if a.ProviderMessageID == "" || a.ProviderMessageID != b.ProviderMessageID {
		t.Errorf("retry has Message-ID %q, first attempt %q", b.ProviderMessageID, a.ProviderMessageID)
	}
	// Byte for byte: the Date comes from the event, not the clock.
	if first, second := relaySink.next(t).raw, relaySink.next(t).raw; !bytes.Equal(first, second) {
		t.Errorf("the retried message differs from the first:\n%s\n---\n%s", first, second)
	}
}

// lastDelivery builds the dispatcher's Delivery for the last MessageSent.
func lastDelivery(t *testing.T, l *ledger) outbound.Delivery {
	t.Helper()
	raw, err := l.store.ReadAll(t.Context(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(raw) - 1; i >= 0; i-- {
		if raw[i].Type != "MessageSent" {
			continue
		}
		e, err := domain.DecodeEvent(raw[i].Type, raw[i].Schema, raw[i].Data)
		if err != nil {
			t.Fatal(err)
		}
		sent := e.(domain.MessageSent)
		return outbound.Delivery{SourceEventID: raw[i].ID.String(), Position: raw[i].Position, InteractionID: sent.InteractionID,
			Channel: domain.ChannelEmail, AgentID: sent.AgentID, Text: sent.Text, SentAt: sent.At, Attempt: 1}
	}
	t.Fatal("no MessageSent")
	return outbound.Delivery{}
}

// TestSendRefusesOtherChannels: a reply on a web chat is not the email
// sender's; it says so permanently and sends nothing.
func TestSendRefusesOtherChannels(t *testing.T) {
	l := newLedger(t)
	res, err := l.handler.ReceiveInbound(t.Context(), commands.InboundMessage{
		Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityEmail, Value: "a@example.com"},
		ProviderMessageID: "chat-1", Text: "hi",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	sendReply(t, l, res.InteractionID, "hello")
	sender, _ := email.NewSender(l.store, failingRelay{}, email.SenderConfig{From: "support@example.com", Logger: quiet})
	_, err = sender.Send(t.Context(), lastDelivery(t, l))
	if !errors.Is(err, email.ErrNotEmail) || !outbound.IsPermanent(err) {
		t.Errorf("Send = %v, want a permanent ErrNotEmail", err)
	}
}

type failingRelay struct{}

func (failingRelay) Deliver(context.Context, string, string, email.Outgoing) error {
	return errors.New("must not be called")
}

// TestRelayConnections covers the relay client against real SMTP servers:
// AUTH PLAIN, STARTTLS, implicit TLS, and the permanent/temporary verdict
// on refusals.
func TestRelayConnections(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	msg := []byte("From: support@example.com\r\nTo: c@example.com\r\nSubject: t\r\n\r\nbody\r\n")
	cases := []struct {
		name      string
		sink      sinkOptions
		cfg       email.RelayConfig
		delivered bool
		permanent bool
	}{
		{name: "plain", delivered: true},
		{name: "auth plain on loopback", sink: sinkOptions{user: "u", password: "p@ss"}, cfg: email.RelayConfig{Username: "u", Password: "p@ss"}, delivered: true},
		{name: "wrong password", sink: sinkOptions{user: "u", password: "p@ss"}, cfg: email.RelayConfig{Username: "u", Password: "nope"}, permanent: true},
		{name: "starttls", sink: sinkOptions{tls: serverTLS}, cfg: email.RelayConfig{Security: email.SecuritySTARTTLS, TLSConfig: clientTLS}, delivered: true},
		{name: "starttls not offered", cfg: email.RelayConfig{Security: email.SecuritySTARTTLS, TLSConfig: clientTLS}, permanent: true},
		{name: "starttls with an untrusted certificate", sink: sinkOptions{tls: serverTLS}, cfg: email.RelayConfig{Security: email.SecuritySTARTTLS}, permanent: true},
		{name: "implicit tls with auth", sink: sinkOptions{tls: serverTLS, implicitTLS: true, user: "u", password: "p"}, cfg: email.RelayConfig{Security: email.SecurityTLS, TLSConfig: clientTLS, Username: "u", Password: "p"}, delivered: true},
		{name: "recipient refused for good", sink: sinkOptions{refuse: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}, permanent: true},
		{name: "recipient deferred", sink: sinkOptions{refuse: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "later"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, addr := startSink(t, tc.sink)
			cfg := tc.cfg
			cfg.Addr = addr
			relay, err := email.NewRelay(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = relay.Deliver(t.Context(), "support@example.com", "c@example.com", email.RawMessage(msg))
			if tc.delivered {
				if err != nil {
					t.Fatalf("Deliver: %v", err)
				}
				if got := s.next(t); got.from != "support@example.com" || !bytes.Contains(got.raw, []byte("body")) {
					t.Errorf("relay got %+v", got)
				}
				return
			}
			var se *email.SendError
			if !errors.As(err, &se) {
				t.Fatalf("Deliver = %v, want a *SendError", err)
			}
			if email.IsPermanent(err) != tc.permanent {
				t.Errorf("Deliver = %v: permanent %v, want %v", err, email.IsPermanent(err), tc.permanent)
			}
		})
	}
	t.Run("nobody listening", func(t *testing.T) {
		relay, _ := email.NewRelay(email.RelayConfig{Addr: "127.0.0.1:1"})
		err := relay.Deliver(t.Context(), "a@b.example", "c@d.example", email.RawMessage(msg))
		if err == nil || email.IsPermanent(err) {
			t.Errorf("Deliver = %v, want a temporary failure", err)
		}
	})
	t.Run("credentials in clear across the network are refused", func(t *testing.T) {
		if _, err := email.NewRelay(email.RelayConfig{Addr: "192.0.2.1:25", Username: "u", Password: "p"}); err == nil {
			t.Error("NewRelay accepted a password over plain SMTP to a remote host")
		}
	})
}

// TestRelayAbandonsAMessageThatFailsMidway: when writing the message fails
// after DATA began (an attachment's read breaks off), the relay gets no
// message (the connection closes without the final dot), and the failure
// is worth another attempt.
func TestRelayAbandonsAMessageThatFailsMidway(t *testing.T) {
	s, addr := startSink(t, sinkOptions{})
	relay, err := email.NewRelay(email.RelayConfig{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	broken := func(w io.Writer) error {
		if _, err := io.WriteString(w, "From: support@example.com\r\nTo: c@example.com\r\nSubject: t\r\n\r\nhalf a "); err != nil {
			return err
		}
		return errors.New("the attachment's read broke off")
	}
	err = relay.Deliver(t.Context(), "support@example.com", "c@example.com", broken)
	if err == nil || email.IsPermanent(err) {
		t.Fatalf("Deliver = %v, want a temporary failure", err)
	}
	if err := relay.Deliver(t.Context(), "support@example.com", "c@example.com", email.RawMessage([]byte("From: support@example.com\r\nTo: c@example.com\r\nSubject: t\r\n\r\nwhole\r\n"))); err != nil {
		t.Fatal(err)
	}
	if got := s.next(t); !bytes.Contains(got.raw, []byte("whole")) {
		t.Fatalf("the relay got %q first, want only the whole message", got.raw)
	}
}
