package email_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/interactionledger/ledger/channels/email"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/internal/testcert"
)

var quiet = slog.New(slog.DiscardHandler)

// waitFor bounds how long a test waits for something that happens in the
// background; it is a deadline against hanging, never a measurement.
const waitFor = 30 * time.Second

type ledger struct {
	store   *sqlite.Store
	handler *commands.Handler
}

func newLedger(t testing.TB) *ledger {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &ledger{store: store, handler: commands.NewHandler(store, commands.WithLogger(quiet))}
}

func (l *ledger) head(t testing.TB) uint64 {
	t.Helper()
	pos, err := l.store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// recorded is one decoded event of the ledger.
type recorded struct {
	stream string
	meta   eventstore.Metadata
	event  domain.Event
	id     string
}

func (l *ledger) events(t *testing.T) []recorded {
	t.Helper()
	raw, err := l.store.ReadAll(t.Context(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]recorded, 0, len(raw))
	for _, r := range raw {
		e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		md, err := eventstore.ParseMetadata(r.Metadata)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recorded{stream: r.Stream, meta: md, event: e, id: r.ID.String()})
	}
	return out
}

// received returns the MessageReceived events by message id.
func (l *ledger) received(t *testing.T) map[string]domain.MessageReceived {
	t.Helper()
	out := map[string]domain.MessageReceived{}
	for _, r := range l.events(t) {
		if m, ok := r.event.(domain.MessageReceived); ok {
			if _, dup := out[m.MessageID]; dup {
				t.Errorf("message %s recorded twice", m.MessageID)
			}
			out[m.MessageID] = m
		}
	}
	return out
}

func (l *ledger) interactions(t *testing.T) map[string]domain.InteractionStarted {
	t.Helper()
	out := map[string]domain.InteractionStarted{}
	for _, r := range l.events(t) {
		if s, ok := r.event.(domain.InteractionStarted); ok {
			out[s.InteractionID] = s
		}
	}
	return out
}

// startServer runs the SMTP server on a free loopback port.
func startServer(t testing.TB, l *ledger, cfg email.ServerConfig) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = quiet
	recv := email.NewReceiver(l.handler, email.ReceiverOptions{SupportAddress: "support@example.com", Logger: quiet})
	srv := email.NewServer(recv, cfg)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// deliver sends raw over SMTP as a mail client would and returns the
// server's verdict on DATA (nil for 250).
func deliver(t testing.TB, addr, envelopeFrom string, raw []byte, rcpts ...string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(envelopeFrom, nil); err != nil {
		return err
	}
	if len(rcpts) == 0 {
		rcpts = []string{"support@example.com"}
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	err = w.Close()
	_ = c.Quit()
	return err
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// sink is a local SMTP server standing in for the relay: it keeps what it
// is given, optionally requiring AUTH PLAIN and refusing recipients.
type sink struct {
	msgs     chan sunk
	user     string
	password string
	refuse   *smtp.SMTPError // answer to every RCPT, when set
}

type sunk struct {
	from string
	to   []string
	raw  []byte
}

type sinkOptions struct {
	user, password string
	refuse         *smtp.SMTPError
	tls            *tls.Config
	implicitTLS    bool
}

func startSink(t *testing.T, opts sinkOptions) (*sink, string) {
	t.Helper()
	s := &sink{msgs: make(chan sunk, 16), user: opts.user, password: opts.password, refuse: opts.refuse}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = slogLogger{}
	srv.TLSConfig = opts.tls
	var ln net.Listener
	var err error
	if opts.implicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", opts.tls)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s, ln.Addr().String()
}

func (s *sink) next(t *testing.T) sunk {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(waitFor):
		t.Fatal("the relay received nothing")
		return sunk{}
	}
}

type sinkSession struct {
	sink   *sink
	authed bool
	cur    sunk
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.sink.user || pass != s.sink.password {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.sink.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = sunk{from: from}
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.sink.refuse != nil {
		return s.sink.refuse
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s.cur.raw = b.Bytes()
	s.sink.msgs <- s.cur
	return nil
}

func (s *sinkSession) Reset()        { s.cur = sunk{} }
func (s *sinkSession) Logout() error { return nil }

type slogLogger struct{}

func (slogLogger) Printf(string, ...any) {}
func (slogLogger) Println(...any)        {}

// selfSigned returns a server TLS config for 127.0.0.1 and a client config
// trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	p := testcert.SelfSigned(t)
	return p.ServerConfig(), p.ClientConfig()
}
