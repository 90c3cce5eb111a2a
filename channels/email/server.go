package email

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/limit"
	"github.com/interactionledger/ledger/internal/pii"
)

// ServerConfig configures the SMTP server. Zero values pick defaults.
type ServerConfig struct {
	// Domain is the name the server greets with (default "localhost").
	Domain string
	// MaxMessageBytes bounds one message, announced with SIZE and enforced
	// while DATA is read (default 25 MiB). A larger message gets 552.
	MaxMessageBytes int64
	// MaxRecipients bounds RCPT TO per message (default 50).
	MaxRecipients int
	// ReadTimeout and WriteTimeout bound each command and reply (default
	// 5 minutes and 1 minute, RFC 5321 section 4.5.3.2's order).
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// RecordTimeout bounds recording one message (default 30 seconds);
	// a message not recorded in time gets 451 and the client retries.
	RecordTimeout time.Duration
	Logger        *slog.Logger
	// Limits bound messages per client address (checked at MAIL FROM)
	// and per sender (the From address, checked once the message is
	// read); over either the client gets 451 4.7.1 and retries later.
	// nil: no limits.
	Limits *limit.Guard
}

func (c ServerConfig) withDefaults() ServerConfig {
	if c.Domain == "" {
		c.Domain = "localhost"
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = 25 << 20
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = 50
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 5 * time.Minute
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = time.Minute
	}
	if c.RecordTimeout <= 0 {
		c.RecordTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Server is the inbound SMTP server: every message it answers 250 has been
// recorded by its Receiver.
type Server struct {
	cfg      ServerConfig
	recv     *Receiver
	smtp     *smtp.Server
	inflight sync.WaitGroup // messages being recorded

	mu       sync.Mutex
	closed   bool // Shutdown began: Serve must not start
	draining bool // connections are gone: no new message may start recording
	ln       net.Listener
}

// beginRecording counts a message in, unless the server is past the point
// where Shutdown waits for the last ones.
func (s *Server) beginRecording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draining {
		return false
	}
	s.inflight.Add(1)
	return true
}

// NewServer returns a server recording through recv.
func NewServer(recv *Receiver, cfg ServerConfig) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, recv: recv}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = cfg.MaxMessageBytes
	srv.MaxRecipients = cfg.MaxRecipients
	srv.ReadTimeout = cfg.ReadTimeout
	srv.WriteTimeout = cfg.WriteTimeout
	srv.ErrorLog = log.New(slogWriter{cfg.Logger}, "", 0)
	s.smtp = srv
	return s
}

// Serve accepts connections on ln until Shutdown; it then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ln.Close()
	}
	s.ln = ln
	s.mu.Unlock()
	if err := s.smtp.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return fmt.Errorf("smtp serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits, until ctx ends, for the
// open ones to finish; then it closes what is left and waits for the
// messages being recorded, so none is cut off halfway (a client whose
// connection is closed before its 250 sends the message again).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	ln := s.ln
	s.mu.Unlock()
	err := s.smtp.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	if ctx.Err() != nil {
		// Idle connections outlived the grace period: cut them.
		_ = s.smtp.Close()
		err = nil
	}
	if ln != nil {
		// Serve may not have handed ln to go-smtp yet.
		_ = ln.Close()
	}
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	s.inflight.Wait()
	return err
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	sess := &session{srv: s, smtp: c, conn: c.Conn(), remote: c.Conn().RemoteAddr().String()}
	if tcp, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
		sess.ip = tcp.IP
	}
	return sess, nil
}

// smtpReply maps a Receive error to the SMTP reply: permanent (5xx) for
// what can never be accepted, temporary (452 for a full disk, 451 for
// everything else), so the client keeps the message and retries.
func (s *Server) smtpReply(err error) error {
	var pe *ParseError
	var se *SenderError
	var reused *domain.MessageIDConflictError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: replyText(pe.Error())}
	case errors.As(err, &se):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 7}, Message: replyText(se.Error())}
	case errors.As(err, &reused):
		// Another message under a Message-ID already recorded: refused for
		// good, so the sender neither retries it forever nor is told it
		// was delivered.
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message: replyText("Message-ID already used by a different message; not recorded, send it with a new Message-ID")}
	case domain.ErrorCode(err) == domain.ELIMITED:
		var over *domain.InteractionLimitError
		if errors.As(err, &over) && over.RetryAfter == 0 {
			// The conversation's message cap lasts as long as it does:
			// bounce rather than have the client retry for days.
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: replyText(domain.ErrorMessage(err))}
		}
		return limitReply(err)
	case domain.ErrorCode(err) == domain.EINVALID:
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: replyText("message refused: " + domain.ErrorMessage(err))}
	case errors.Is(err, eventstore.ErrStorageFull):
		// RFC 5321's "insufficient system storage" and RFC 3463's "mail
		// system full": temporary, so the sending MTA queues the message
		// and retries.
		return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Insufficient storage, message not recorded; try again later"}
	default:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Message not recorded, try again later"}
	}
}

// limitReply is the temporary refusal of a client or sender over a rate
// limit: 451 4.7.1 with when to try again.
func limitReply(err error) error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: replyText(domain.ErrorMessage(err))}
}

// replyText makes s fit an SMTP reply line: printable ASCII, bounded.
func replyText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return '?'
		}
		return r
	}, s)
	return cutUTF8(s, 400)
}

// slogWriter sends go-smtp's internal error log to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("smtp server", "msg", pii.Redact(strings.TrimSpace(string(p))))
	return len(p), nil
}
