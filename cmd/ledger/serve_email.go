package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/interactionledger/ledger/channels/email"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
)

// emailComponent wires the email channel into `ledger serve`: the inbound
// SMTP server (--smtp, started only when set) and the sender of agents'
// replies through a relay (--smtp-relay, with --smtp-from), which it adds
// to the outbound dispatcher every channel shares.
type emailComponent struct {
	listen   string
	relay    string
	from     string
	domain   string
	maxBytes string
	auth     string
	// readTimeout is --smtp-read-timeout: how long a client may take to
	// send one command, or a whole message after DATA.
	readTimeout time.Duration

	maxMessageBytes int64          // --smtp-max-bytes, checked by provide
	authMode        email.AuthMode // --email-auth, checked by provide
	resolver        email.Resolver // DNS for the checks; nil: net.DefaultResolver (tests give a fake)
	addr            string         // the SMTP listener's address, once started (tests read it)
}

func newEmailComponent() serveComponent { return &emailComponent{} }

func (c *emailComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.listen, "smtp", envOr("LEDGER_SMTP", ""), "inbound SMTP listen address HOST:PORT; the server starts only when set (env LEDGER_SMTP)")
	fs.StringVar(&c.relay, "smtp-relay", envOr("LEDGER_SMTP_RELAY", ""), "relay agents' email replies go through: HOST:PORT, smtp://[user:pass@]host[:port], smtp+starttls://user:pass@host[:port] or smtps://user:pass@host[:port]; prefer the env LEDGER_SMTP_RELAY for a password")
	fs.StringVar(&c.from, "smtp-from", envOr("LEDGER_SMTP_FROM", ""), "support address email replies come from, e.g. 'Support <support@example.com>' (env LEDGER_SMTP_FROM)")
	fs.StringVar(&c.domain, "smtp-domain", envOr("LEDGER_SMTP_DOMAIN", ""), "name the SMTP server greets with and the relay client introduces itself with (default: the --smtp-from domain, else localhost) (env LEDGER_SMTP_DOMAIN)")
	fs.StringVar(&c.auth, "email-auth", envOr("LEDGER_EMAIL_AUTH", string(email.AuthEnforce)), "DKIM, SPF and DMARC on inbound mail: enforce (a sender failing DMARC never joins the customer who owns the address), record (check and record, join anyway) or off (env LEDGER_EMAIL_AUTH)")
	fs.StringVar(&c.maxBytes, "smtp-max-bytes", envOr("LEDGER_SMTP_MAX_BYTES", strconv.Itoa(25<<20)), "largest inbound email accepted, in bytes (env LEDGER_SMTP_MAX_BYTES)")
	fs.DurationVar(&c.readTimeout, "smtp-read-timeout", 5*time.Minute, "how long an SMTP client may take to send one command, or the whole message after DATA, before it is cut off")
}

// provide checks the flags and offers the relay's sender for email
// replies, when --smtp-relay is set.
func (c *emailComponent) provide(core *serveCore) (offers, error) {
	if c.listen == "" && c.relay == "" {
		return offers{}, nil
	}
	maxBytes, err := strconv.ParseInt(c.maxBytes, 10, 64)
	if err != nil || maxBytes <= 0 {
		return offers{}, &exitError{code: 2, err: fmt.Errorf("--smtp-max-bytes %q: want a positive number of bytes", c.maxBytes)}
	}
	c.maxMessageBytes = maxBytes
	c.authMode = email.AuthEnforce
	if c.auth != "" {
		if c.authMode, err = email.ParseAuthMode(c.auth); err != nil {
			return offers{}, &exitError{code: 2, err: fmt.Errorf("--email-auth: %w", err)}
		}
	}
	if c.relay == "" {
		return offers{}, nil
	}
	sender, err := c.newSender(core, c.greetingName())
	if err != nil {
		return offers{}, &exitError{code: 2, err: err}
	}
	return offers{senders: map[domain.Channel]outbound.Sender{domain.ChannelEmail: sender}}, nil
}

// start runs the SMTP server, when --smtp is set.
func (c *emailComponent) start(core *serveCore, _ offers) error {
	if c.listen == "" {
		return nil
	}
	return c.startServer(core, c.greetingName(), c.maxMessageBytes)
}

func (c *emailComponent) newSender(core *serveCore, helo string) (*email.Sender, error) {
	if c.from == "" {
		return nil, errors.New("--smtp-relay needs --smtp-from, the support address replies come from")
	}
	cfg, err := email.ParseRelay(c.relay)
	if err != nil {
		return nil, fmt.Errorf("--smtp-relay: %w", err)
	}
	cfg.HeloName = helo
	relay, err := email.NewRelay(cfg)
	if err != nil {
		return nil, fmt.Errorf("--smtp-relay: %w", err)
	}
	senderCfg := email.SenderConfig{From: c.from}
	if core.files != nil {
		senderCfg.Files = core.files
	}
	sender, err := email.NewSender(core.store, relay, senderCfg)
	if err != nil {
		return nil, fmt.Errorf("--smtp-from: %w", err)
	}
	slog.Info("email replies go through relay", "relay", cfg.String(), "from", c.from)
	return sender, nil
}

func (c *emailComponent) startServer(core *serveCore, name string, maxBytes int64) error {
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("--smtp: listen on %s: %w", c.listen, err)
	}
	c.addr = ln.Addr().String()
	auth := email.NewAuthenticator(email.AuthOptions{Mode: c.authMode, Resolver: c.resolver, Timeout: 10 * time.Second})
	recv := email.NewReceiver(core.handler, email.ReceiverOptions{SupportAddress: c.from, Auth: auth})
	srv := email.NewServer(recv, email.ServerConfig{Domain: name, MaxMessageBytes: maxBytes, ReadTimeout: c.readTimeout, Limits: core.limits.guard(clientRate)})
	core.goRun(func() {
		if err := srv.Serve(ln); err != nil {
			slog.Error("smtp server stopped", "err", err)
		}
	})
	core.goRun(func() {
		<-core.ctx.Done()
		// Sessions get a moment to finish; messages being recorded always
		// finish before the ledger closes.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			slog.Error("smtp shutdown", "err", err)
		}
	})
	slog.Info("smtp listening", "addr", ln.Addr().String(), "max_bytes", maxBytes, "email_auth", c.authMode)
	return nil
}

// greetingName is the host name the server greets with and the relay
// client introduces itself with.
func (c *emailComponent) greetingName() string {
	if c.domain != "" {
		return c.domain
	}
	if at := strings.LastIndexByte(c.from, '@'); at >= 0 {
		if d := strings.Trim(c.from[at+1:], "> \t"); d != "" {
			return d
		}
	}
	return "localhost"
}
