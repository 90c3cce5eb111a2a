package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/pii"
)

// session is one SMTP connection's transaction state.
type session struct {
	srv    *Server
	smtp   *smtp.Conn // for the HELO/EHLO name, known only once sent
	conn   net.Conn   // closed when the client is too slow to send DATA
	remote string
	ip     net.IP // the client's address, for SPF
	from   string // envelope sender of the current transaction
}

// Mail starts a transaction. The envelope sender is kept only as the
// customer's address of last resort (a message without From).
// A client address over its rate is refused here, before DATA is read.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := s.srv.cfg.Limits.Source(s.remote); err != nil {
		s.srv.cfg.Logger.Info("email refused", "remote", s.remote, "reason", err)
		return limitReply(err)
	}
	s.from = from
	return nil
}

// Rcpt accepts any recipient: every address this server is reached at is a
// way into the contact centre, and nothing is ever forwarded, so there is
// no relay to abuse. go-smtp enforces MaxRecipients.
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }

// Data reads the message and records it before answering: 250 is only
// sent once the message is durable in the ledger.
func (s *session) Data(r io.Reader) error {
	if !s.srv.beginRecording() {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, try again later"}
	}
	defer s.srv.inflight.Done()
	log := s.srv.cfg.Logger.With("remote", s.remote)
	raw, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			log.Info("email refused", "reason", pii.Redact(se.Message))
			return se // 552 for a message over MaxMessageBytes
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			log.Info("email refused", "reason", "the message was not sent within the read timeout")
			return s.hangUp()
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			log.Info("email refused", "reason", err)
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Line longer than RFC 5321 allows"}
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Connection error while reading the message"}
	}
	// Recording is not tied to the connection: a message whose client goes
	// away mid-append is still recorded whole (and its retry is a no-op).
	ctx, cancel := context.WithTimeout(context.Background(), s.srv.cfg.RecordTimeout)
	defer cancel()
	start := time.Now()
	env := Envelope{IP: s.ip, Helo: s.smtp.Hostname(), MailFrom: s.from}
	rec, err := s.srv.recv.receive(ctx, raw, env, s.srv.cfg.Limits, s.remote)
	reply := s.srv.smtpReply(err)
	if reply != nil {
		var se *smtp.SMTPError
		if errors.As(reply, &se) && se.Temporary() && domain.ErrorCode(err) != domain.ELIMITED {
			log.Error("email not recorded", "err", logReason(err))
		} else {
			log.Info("email refused", "reason", logReason(err))
		}
		return reply
	}
	log.Info("email recorded", "message_id", rec.MessageID, "interaction", rec.InteractionID,
		"new_interaction", rec.NewInteraction, "took", time.Since(start))
	return nil
}

// Reset ends the transaction.
func (s *session) Reset() { s.from = "" }

// Logout ends the session.
func (s *session) Logout() error { return nil }

// hangUp answers 421 and closes the connection of a client that did not
// send its whole message within the read timeout. Left open, go-smtp
// would read on: a trickled line that never ends is taken for a command
// each timeout (bufio drops the timeout when it has part of a line), so
// a slow client could hold its connection several timeouts more. The
// reply returned is for go-smtp, whose write then fails on the closed
// connection.
func (s *session) hangUp() error {
	reply := &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Timeout reading the message, closing connection"}
	_ = s.conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = fmt.Fprintf(s.conn, "421 4.4.2 %s\r\n", reply.Message)
	_ = s.conn.Close()
	return reply
}
