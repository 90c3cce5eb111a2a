package outbound

import (
	"context"
	"errors"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Delivery is one reply to hand to the customer's channel.
type Delivery struct {
	// SourceEventID is the id of the MessageSent event: the reply's key.
	// Providers that accept an idempotency key get it.
	SourceEventID string
	// Position is the MessageSent event's position in $all.
	Position      uint64
	CorrelationID string
	InteractionID string
	CustomerID    string
	Channel       domain.Channel
	// To is the identity the customer opened the interaction with: the
	// address on the channel (phone number, openid, web chat identity).
	To        domain.Identity
	MessageID string
	AgentID   string
	Text      string
	// Attachments are the reply's files (kept: see domain.Attachment).
	Attachments []domain.Attachment
	SentAt      time.Time
	// Attempt counts from 1.
	Attempt int
}

// Receipt is what a channel says about an accepted reply.
type Receipt struct {
	// ProviderMessageID is the provider's id for the outbound message.
	ProviderMessageID string
	// Detail is a short note for the record (e.g. "2 live sessions").
	Detail string
}

// Sender hands a reply to one channel. A failure is retried unless it is
// marked Permanent. Senders are called concurrently, for different
// interactions.
type Sender interface {
	Send(ctx context.Context, d Delivery) (Receipt, error)
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, d Delivery) (Receipt, error)

// Send implements Sender.
func (f SenderFunc) Send(ctx context.Context, d Delivery) (Receipt, error) { return f(ctx, d) }

// PermanentError marks a failure that retrying cannot fix (the provider
// refused the recipient or the message).
type PermanentError struct {
	Err      error
	expected bool // ReachesLater
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// ReachesLater marks a failure that is no fault of anyone's and needs no
// retry: the customer gets the reply another way (a web chat customer
// with no socket open sees it when they come back). It is permanent, and
// logged at debug: it is the common case of a channel, not news for an
// operator.
func ReachesLater(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err, expected: true}
}

// isExpected reports whether err was marked ReachesLater.
func isExpected(err error) bool {
	var p *PermanentError
	return errors.As(err, &p) && p.expected
}

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// RetryAfterError asks for the next attempt no sooner than After (a
// provider's Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }
