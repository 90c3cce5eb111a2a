package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/interactionledger/ledger/internal/netaddr"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Security is how the connection to the relay is protected.
type Security string

// Relay connection security, chosen by the --smtp-relay URL scheme.
const (
	// SecurityNone is plain SMTP ("smtp://" or a bare "host:port"): for a
	// relay on this host or a trusted network, such as a local Postfix.
	SecurityNone Security = "none"
	// SecuritySTARTTLS upgrades with STARTTLS and refuses a relay that
	// does not offer it ("smtp+starttls://", default port 587).
	SecuritySTARTTLS Security = "starttls"
	// SecurityTLS is implicit TLS from the first byte ("smtps://",
	// default port 465).
	SecurityTLS Security = "tls"
)

// RelayConfig says where and how replies are handed over for delivery.
type RelayConfig struct {
	// Addr is the relay's host:port.
	Addr     string
	Security Security
	// Username and Password, when set, authenticate with AUTH PLAIN.
	Username string
	Password string
	// HeloName is the name the ledger introduces itself with (default
	// "localhost").
	HeloName string
	// Timeout bounds one delivery (default 1 minute).
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own CA with
	// it); its ServerName defaults to the relay's host.
	TLSConfig *tls.Config
}

// ParseRelay parses the --smtp-relay setting:
//
//	host:port                              plain SMTP
//	smtp://[user[:password]@]host[:port]   plain SMTP (port 25)
//	smtp+starttls://user:password@host[:port]   STARTTLS required (port 587)
//	smtps://user:password@host[:port]      implicit TLS (port 465)
//
// User and password are URL-encoded (a '@' in a user name is %40).
// Credentials are refused over plain SMTP unless the relay is on a loopback
// address, so a password is never sent in clear across a network.
func ParseRelay(s string) (RelayConfig, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return RelayConfig{}, errors.New("relay: empty address")
	}
	if !strings.Contains(s, "://") {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return RelayConfig{}, fmt.Errorf("relay %q: want host:port or smtp://, smtp+starttls://, smtps:// URL: %w", s, err)
		}
		return RelayConfig{Addr: s, Security: SecurityNone}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return RelayConfig{}, fmt.Errorf("relay: %w", err)
	}
	var cfg RelayConfig
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		cfg.Security, port = SecurityNone, "25"
	case "smtp+starttls":
		cfg.Security, port = SecuritySTARTTLS, "587"
	case "smtps":
		cfg.Security, port = SecurityTLS, "465"
	default:
		return RelayConfig{}, fmt.Errorf("relay %q: unknown scheme %q (smtp, smtp+starttls or smtps)", redact(u), u.Scheme)
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return RelayConfig{}, fmt.Errorf("relay %q: want scheme://[user:password@]host[:port] and nothing else", redact(u))
	}
	if u.Port() != "" {
		port = u.Port()
	}
	cfg.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if err := cfg.validate(); err != nil {
		return RelayConfig{}, err
	}
	return cfg, nil
}

// String shows the relay without its password, for logs.
func (c RelayConfig) String() string {
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return fmt.Sprintf("%s (%s%s)", c.Addr, user, c.Security)
}

func (c RelayConfig) validate() error {
	if c.Username != "" && c.Security == SecurityNone && !netaddr.IsLoopback(c.Addr) {
		return fmt.Errorf("relay %s: credentials over plain SMTP to a non-loopback host would cross the network in clear; use smtp+starttls:// or smtps://", c.Addr)
	}
	return nil
}

func redact(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	v := *u
	v.User = url.User(u.User.Username())
	return v.String()
}

// Relay hands messages to an SMTP relay, one connection per message (the
// volume of agents' replies does not call for pooling).
type Relay struct {
	cfg RelayConfig
}

// NewRelay returns a relay client for cfg.
func NewRelay(cfg RelayConfig) (*Relay, error) {
	if cfg.Addr == "" {
		return nil, errors.New("relay: no address")
	}
	if cfg.Security == "" {
		cfg.Security = SecurityNone
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	return &Relay{cfg: cfg}, nil
}

// Outgoing writes a complete RFC 5322 message (streaming: a reply's
// attachments are read from the blob store as the relay takes them).
type Outgoing func(w io.Writer) error

// RawMessage is a message already composed.
func RawMessage(b []byte) Outgoing {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

// Deliver hands msg to the relay for delivery from the envelope sender
// from to the recipient to. It returns a *SendError; its Permanent says
// whether trying again can help. A message that fails while it is being
// written is abandoned, never sent cut short.
func (r *Relay) Deliver(ctx context.Context, from, to string, msg Outgoing) (err error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	c, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	// go-smtp sets its own deadline on every command, so the context ends
	// the exchange by closing the connection instead.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = &SendError{Op: "deliver", Err: fmt.Errorf("%w (%v)", ctx.Err(), err)}
		}
	}()

	if r.cfg.Username != "" {
		if !c.SupportsAuth(sasl.Plain) {
			return &SendError{Op: "auth", Permanent: true, Err: errors.New("the relay does not offer AUTH PLAIN")}
		}
		if err := c.Auth(sasl.NewPlainClient("", r.cfg.Username, r.cfg.Password)); err != nil {
			return sendErr("auth", err)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return sendErr("mail", err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return sendErr("rcpt", err)
	}
	w, err := c.Data()
	if err != nil {
		return sendErr("data", err)
	}
	if err := msg(connWriter{w}); err != nil {
		// w.Close would end DATA with its dot and the relay would send
		// what was written; the connection closes without it instead, so
		// the relay drops the message, and the attempt can be made again.
		var werr *writeError
		if errors.As(err, &werr) {
			return sendErr("data", werr.err)
		}
		return &SendError{Op: "compose", Err: err}
	}
	if err := w.Close(); err != nil {
		return sendErr("data", err)
	}
	// The relay took the message with its 250; a failed QUIT changes
	// nothing about that.
	_ = c.Quit()
	return nil
}

// connect dials the relay and greets it, upgrading to TLS as configured.
func (r *Relay) connect(ctx context.Context) (*smtp.Client, error) {
	host, _, _ := net.SplitHostPort(r.cfg.Addr)
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.cfg.TLSConfig != nil {
		tlsCfg = r.cfg.TLSConfig.Clone()
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = host
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.cfg.Addr)
	if err != nil {
		return nil, &SendError{Op: "dial", Err: err}
	}
	if r.cfg.Security == SecurityTLS {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, tlsErr("tls", err)
		}
		conn = tc
	}
	var c *smtp.Client
	if r.cfg.Security == SecuritySTARTTLS {
		c, err = smtp.NewClientStartTLS(conn, tlsCfg)
		if err != nil {
			_ = conn.Close()
			return nil, tlsErr("starttls", err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = r.cfg.Timeout
	c.SubmissionTimeout = r.cfg.Timeout
	if err := c.Hello(r.cfg.HeloName); err != nil {
		_ = c.Close()
		return nil, sendErr("hello", err)
	}
	return c, nil
}

// tlsErr classifies a failure to secure the connection: a network error
// is worth retrying, while a relay without STARTTLS or with a certificate
// that does not verify stays so until someone changes its configuration.
func tlsErr(op string, err error) *SendError {
	var ne net.Error
	if errors.As(err, &ne) {
		return &SendError{Op: op, Err: err}
	}
	se := sendErr(op, err)
	se.Permanent = se.Permanent || se.Code == 0
	return se
}

// sendErr classifies a relay error: a 5xx reply is permanent, anything
// else (4xx, network) temporary.
func sendErr(op string, err error) *SendError {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return &SendError{Op: op, Code: se.Code, Permanent: se.Code >= 500, Err: err}
	}
	// The TLS handshake after STARTTLS runs lazily, on the next command: a
	// certificate that does not verify surfaces there, and stays so.
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	var authority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &verify) || errors.As(err, &hostname) || errors.As(err, &authority) || errors.As(err, &invalid) {
		return &SendError{Op: op, Permanent: true, Err: err}
	}
	return &SendError{Op: op, Err: err}
}

// writeError is a failure to write to the relay's connection, as opposed
// to a failure to compose what is written.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// connWriter marks its writer's failures as writeErrors.
type connWriter struct{ w io.Writer }

func (c connWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}
