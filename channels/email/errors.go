package email

import (
	"errors"
	"fmt"

	"github.com/interactionledger/ledger/internal/pii"
)

// ParseError says why a message is not acceptable MIME (broken multipart,
// undecodable transfer encoding, malformed header, too deeply nested). The
// SMTP server answers it with 554 5.6.0, a permanent failure: sending the
// same bytes again cannot succeed.
type ParseError struct {
	Reason string
	Err    error // the underlying decoder error, if any
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return "malformed message: " + e.Reason + ": " + e.Err.Error()
	}
	return "malformed message: " + e.Reason
}

func (e *ParseError) Unwrap() error { return e.Err }

// logReason is what the log says about a refused message. A decoder error
// may quote the header or body line it choked on, so a ParseError is
// logged by its reason only, and anything else redacted.
func logReason(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		return "malformed message: " + pe.Reason
	}
	return pii.Redact(err.Error())
}

func parseErr(err error, format string, args ...any) *ParseError {
	return &ParseError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// SenderError says the message names no usable sender address, so there is
// no customer to attribute it to. The SMTP server answers 550 5.1.7.
type SenderError struct {
	Address string // as written, possibly empty
	Err     error
}

// Error leaves Address out: the text reaches the log.
func (e *SenderError) Error() string {
	if e.Address == "" {
		return "no sender address: " + e.Err.Error()
	}
	return fmt.Sprintf("sender address: %v", e.Err)
}

func (e *SenderError) Unwrap() error { return e.Err }

// SendError says why a reply could not be sent (composed, or handed to the
// relay). Permanent is
// true when the relay refused it for good (a 5xx reply, a bad recipient):
// retrying the same reply cannot help. Anything else (a 4xx reply, a network
// failure, a timeout) is worth retrying.
type SendError struct {
	Op        string // "thread", "compose", "dial", "tls", "starttls", "hello", "auth", "mail", "rcpt", "data"
	Code      int    // the relay's SMTP reply code, 0 when it gave none
	Permanent bool
	Err       error
}

func (e *SendError) Error() string {
	return fmt.Sprintf("send reply: %s: %v", e.Op, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a send failure that retrying cannot
// fix.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// ErrNotEmail is the (permanent) failure of Sender.Send for a reply on an
// interaction that is not an email conversation.
var ErrNotEmail = errors.New("email: not an email interaction")
