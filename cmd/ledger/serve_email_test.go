package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/interactionledger/ledger/channels/email"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// mailSink is a local SMTP server standing in for the relay: it keeps
// every message handed to it.
type mailSink struct {
	mu   sync.Mutex
	msgs []*mail.Message
	raw  [][]byte
	addr string
}

func startMailSink(t *testing.T) *mailSink {
	t.Helper()
	s := &mailSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSinkSession{sink: s}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "sink.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *mailSink) received() []*mail.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*mail.Message(nil), s.msgs...)
}

type mailSinkSession struct{ sink *mailSink }

func (*mailSinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*mailSinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*mailSinkSession) Reset()                               {}
func (*mailSinkSession) Logout() error                        { return nil }
func (s *mailSinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(m.Body)
	m.Body = strings.NewReader(string(body))
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, m)
	s.sink.raw = append(s.sink.raw, raw)
	s.sink.mu.Unlock()
	return nil
}

// rawReceived returns the messages as they were handed over.
func (s *mailSink) rawReceived() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

// serveEmail starts `ledger serve` in-process with the email channel
// (relay: the sink, or none when relay is "") and the outbound delivery.
func serveEmail(t *testing.T, dir, relay string) (*server, *emailComponent) {
	t.Helper()
	return serveEmailWith(t, dir, relay, noDNS{})
}

// serveEmailWith is serveEmail checking senders against dns.
func serveEmailWith(t *testing.T, dir, relay string, dns email.Resolver) (*server, *emailComponent) {
	t.Helper()
	c := &emailComponent{listen: "127.0.0.1:0", relay: relay, from: "Support <support@shop.example>", maxBytes: "1048576", resolver: dns}
	// The web chat sender keeps the dispatcher running while the relay is
	// off, as in a deployment with both channels.
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"}, &webChannelsComponent{}, c, newOutboundComponent())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "http://"+srv.adminAddr+"/readyz", 200)
	return srv, c
}

const customerMail = "From: Li Wei <li.wei@example.com>\r\n" +
	"To: support@shop.example\r\n" +
	"Subject: =?UTF-8?B?6K6i5Y2V5rKh5pS25Yiw?=\r\n" + // 订单没收到
	"Message-ID: <order-1@example.com>\r\n" +
	"Date: Mon, 23 Nov 2026 10:00:00 +0800\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"\r\n" +
	"My order has not arrived.\r\n"

// TestEmailThroughServe: mail delivered by an SMTP client into `ledger
// serve --smtp` lands in the ledger; an agent's reply leaves through
// --smtp-relay (a local sink) with the threading headers, once, even
// across a restart.
func TestEmailThroughServe(t *testing.T) {
	dir := t.TempDir()
	sink := startMailSink(t)
	srv, c := serveEmail(t, dir, sink.addr)
	if err := sendMail(c.addr, customerMail); err != nil {
		t.Fatalf("SMTP delivery into the server: %v", err)
	}
	if n := countEvents(t, srv, "MessageReceived"); n != 1 {
		t.Fatalf("%d messages recorded after the server's 250, want 1", n)
	}
	interaction := interactionOn(t, srv, domain.ChannelEmail)
	if check, results := startedCheck(t, srv, interaction); check != domain.IdentityUnverified || results != "dkim=none spf=none dmarc=none" {
		t.Errorf("the unsigned mail from a domain without DMARC: check %q, results %q; want UNVERIFIED, dkim=none spf=none dmarc=none", check, results)
	}
	agent := commands.NewHandler(srv.store)
	reply := func(id, text string) {
		t.Helper()
		if _, err := agent.Interaction(t.Context(), interaction, commands.Meta{Actor: "agent:a1"},
			domain.SendMessage{MessageID: id, AgentID: "a1", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	reply("r1", "We are sending a new parcel today.")
	eventually(t, "the reply relayed", func() bool { return len(sink.received()) == 1 })
	got := sink.received()[0]
	if got.Header.Get("In-Reply-To") != "<order-1@example.com>" || !strings.Contains(got.Header.Get("References"), "<order-1@example.com>") {
		t.Errorf("reply threading: In-Reply-To %q, References %q", got.Header.Get("In-Reply-To"), got.Header.Get("References"))
	}
	if to := got.Header.Get("To"); !strings.Contains(to, "li.wei@example.com") {
		t.Errorf("reply to %q", to)
	}
	eventually(t, "the delivery recorded", func() bool { return countEvents(t, srv, "MessageDelivered") == 1 })
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	srv, _ = serveEmail(t, dir, sink.addr)
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	agent = commands.NewHandler(srv.store)
	reply("r2", "Tracking number: SF123.")
	eventually(t, "the second reply relayed", func() bool { return len(sink.received()) == 2 })
	eventually(t, "its delivery recorded", func() bool { return countEvents(t, srv, "MessageDelivered") == 2 })
	if n := len(sink.received()); n != 2 {
		t.Fatalf("the sink got %d messages, want 2 (nothing sent again after the restart)", n)
	}
}

// TestRetiredEmailCheckpointIsTakenOver: a data directory from when email
// replies had a dispatcher of their own (checkpoint in outbound-email.db)
// keeps working: the email reply that dispatcher had not reached yet is
// sent by the shared one, an earlier one is not sent again, and the old
// file goes.
func TestRetiredEmailCheckpointIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	sink := startMailSink(t)
	srv, c := serveEmail(t, dir, sink.addr)
	if err := sendMail(c.addr, customerMail); err != nil {
		t.Fatal(err)
	}
	interaction := interactionOn(t, srv, domain.ChannelEmail)
	reply := func(srv *server, id, text string) {
		t.Helper()
		if _, err := commands.NewHandler(srv.store).Interaction(t.Context(), interaction, commands.Meta{Actor: "agent:a1"},
			domain.SendMessage{MessageID: id, AgentID: "a1", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	reply(srv, "r1", "sent by the old email dispatcher")
	eventually(t, "the first reply relayed", func() bool { return countEvents(t, srv, "MessageDelivered") == 1 })
	retiredAt, err := srv.store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	// The old email dispatcher stopped at retiredAt; then the relay was off
	// while an agent replied, and the shared dispatcher moved past that.
	srv, _ = serveEmail(t, dir, "")
	reply(srv, "r2", "written while the relay was off")
	ownAt, err := srv.store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the shared checkpoint past the reply", func() bool { return loadOutboundCheckpoint(t, dir) >= ownAt })
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	writeLegacyCheckpoint(t, filepath.Join(dir, retiredEmailOutboundFile), "email", retiredAt)

	srv, _ = serveEmail(t, dir, sink.addr)
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	eventually(t, "the reply the old dispatcher had not reached relayed", func() bool { return countEvents(t, srv, "MessageDelivered") == 2 })
	eventually(t, "the old checkpoint file removed", func() bool {
		_, err := os.Stat(filepath.Join(dir, retiredEmailOutboundFile))
		return os.IsNotExist(err)
	})
	msgs := sink.received()
	if len(msgs) != 2 {
		t.Fatalf("the sink got %d messages, want 2", len(msgs))
	}
	body, _ := io.ReadAll(msgs[1].Body)
	if !strings.Contains(string(body), "written while the relay was off") {
		t.Errorf("second relayed message: %s", body)
	}
}

// sendMail delivers raw from li.wei@example.com to the support address,
// as a customer's mail server would (plain SMTP, no TLS on loopback).
func sendMail(addr, raw string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail("li.wei@example.com", []string{"support@shop.example"}, strings.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

func loadOutboundCheckpoint(t *testing.T, dir string) uint64 {
	t.Helper()
	pos, _, err := follow.FileCheckpoint(filepath.Join(dir, outboundCheckpointFile)).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// writeLegacyCheckpoint writes a checkpoint file as dispatchers kept them
// before they ran on the one follower: a SQLite table of named positions.
func writeLegacyCheckpoint(t *testing.T, path, name string, pos uint64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at TEXT NOT NULL);
		INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, '2026-01-01T00:00:00Z')
		ON CONFLICT (name) DO UPDATE SET position = excluded.position`, name, int64(pos)); err != nil {
		t.Fatal(err)
	}
}

// TestLegacyOutboundCheckpointIsMigrated: a data directory whose
// dispatcher kept its position in outbound.db starts from that position,
// now kept in outbound.checkpoint, and the old file goes.
func TestLegacyOutboundCheckpointIsMigrated(t *testing.T) {
	dir := t.TempDir()
	srv, _ := serveEmail(t, dir, "")
	head, err := srv.store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, outboundCheckpointFile)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	writeLegacyCheckpoint(t, filepath.Join(dir, legacyOutboundFile), "outbound", head+7)

	own, err := outboundCheckpoint(t.Context(), dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if pos, found, err := own.Load(t.Context()); err != nil || !found || pos != head+7 {
		t.Fatalf("migrated checkpoint %d (found %v, %v), want %d", pos, found, err, head+7)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyOutboundFile)); !os.IsNotExist(err) {
		t.Fatalf("the legacy file is still there: %v", err)
	}
}

func TestEmailFlagsFromEnvironment(t *testing.T) {
	t.Setenv("LEDGER_SMTP", "127.0.0.1:2525")
	t.Setenv("LEDGER_SMTP_RELAY", "smtp://relay.example:25")
	t.Setenv("LEDGER_EMAIL_AUTH", "record")
	c := &emailComponent{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.addFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.listen != "127.0.0.1:2525" || c.relay != "smtp://relay.example:25" || c.auth != "record" {
		t.Fatalf("flags from the environment: --smtp %q, --smtp-relay %q, --email-auth %q", c.listen, c.relay, c.auth)
	}
	for _, name := range []string{"smtp", "smtp-relay", "email-auth"} {
		if f := fs.Lookup(name); f == nil || !strings.Contains(f.Usage, "LEDGER_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))) {
			t.Errorf("flag --%s missing or without its environment variable", name)
		}
	}
}

// TestEmailAuthFlag: --email-auth defaults to enforce and refuses a mode
// it does not know, with the usage exit code.
func TestEmailAuthFlag(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c := &emailComponent{}
	c.addFlags(fs)
	if err := fs.Parse([]string{"--smtp", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.provide(nil); err != nil || c.authMode != email.AuthEnforce {
		t.Fatalf("default --email-auth: mode %q, err %v; want enforce", c.authMode, err)
	}
	c = &emailComponent{listen: "127.0.0.1:0", maxBytes: "1024", auth: "lenient"}
	var exit *exitError
	if _, err := c.provide(nil); !errors.As(err, &exit) || exit.code != 2 {
		t.Fatalf("--email-auth lenient: %v, want a usage error", err)
	}
}

// noDNS knows no record, so serve tests never ask the network: every
// sender is UNVERIFIED (no DMARC policy) and joins its customer.
type noDNS struct{}

func (noDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (noDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (noDNS) LookupIPAddr(_ context.Context, name string) ([]net.IPAddr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (noDNS) LookupAddr(_ context.Context, name string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// startedCheck is the identity check and authentication results an
// interaction started with.
func startedCheck(t *testing.T, srv *server, interaction string) (domain.IdentityCheck, string) {
	t.Helper()
	page, err := srv.store.ReadAll(t.Context(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range page {
		if rec.Type != "InteractionStarted" {
			continue
		}
		e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		if s := e.(domain.InteractionStarted); s.InteractionID == interaction {
			return s.IdentityCheck, s.Authentication
		}
	}
	t.Fatalf("interaction %s never started", interaction)
	return "", ""
}
