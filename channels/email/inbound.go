package email

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// Inbound is what the receiver needs of the command layer
// (*commands.Handler has it).
type Inbound interface {
	ReceiveInbound(ctx context.Context, msg commands.InboundMessage, meta commands.Meta) (commands.InboundResult, error)
	NormalizeIdentity(id domain.Identity) (domain.Identity, error)
}

// Receiver turns raw messages into ReceiveInbound commands. It is what the
// SMTP session calls once a message's DATA is in, and is safe for
// concurrent use.
type Receiver struct {
	in     Inbound
	limits Limits
	self   string // normalised support address; mail from it is a loop
	auth   *Authenticator
	logger *slog.Logger
}

// ReceiverOptions configure a Receiver. Zero values pick defaults.
type ReceiverOptions struct {
	Limits Limits
	// SupportAddress is the address replies are sent from. A message from
	// it is refused: it is our own reply come back (a mail loop), not a
	// customer.
	SupportAddress string
	// Auth checks DKIM, SPF and DMARC and decides the sender's identity
	// check; nil checks nothing (every sender UNCHECKED).
	Auth   *Authenticator
	Logger *slog.Logger
}

// NewReceiver returns a Receiver appending through in.
func NewReceiver(in Inbound, opts ReceiverOptions) *Receiver {
	r := &Receiver{in: in, limits: opts.Limits.withDefaults(), auth: opts.Auth, logger: opts.Logger}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	if opts.SupportAddress != "" {
		if id, err := in.NormalizeIdentity(domain.Identity{Kind: domain.IdentityEmail, Value: opts.SupportAddress}); err == nil {
			r.self = id.Value
		}
	}
	return r
}

// Receipt says where a received message landed.
type Receipt struct {
	commands.InboundResult
	MessageID string
	Root      string
}

// Receive parses raw and records it. envelopeFrom (the SMTP MAIL FROM) is
// the sender when the message has no From field. It returns a *ParseError
// or *SenderError for a message that can never be accepted, a domain error
// with code EINVALID for content the ledger refuses, and any other error
// for a failure worth retrying. When it returns nil the message is durable.
// Without the client's address there is no SPF: DMARC rests on DKIM.
func (r *Receiver) Receive(ctx context.Context, raw []byte, envelopeFrom string) (Receipt, error) {
	return r.receive(ctx, raw, Envelope{MailFrom: envelopeFrom}, nil, "")
}

// receive is Receive within g's limit of messages per sender (the From
// address) for a message from the client address remote: a sender over
// it gets a *limit.Error and nothing is appended.
func (r *Receiver) receive(ctx context.Context, raw []byte, env Envelope, g *limit.Guard, remote string) (Receipt, error) {
	envelopeFrom := env.MailFrom
	m, err := Parse(raw, r.limits)
	if err != nil {
		return Receipt{}, err
	}
	from, err := r.sender(m, envelopeFrom)
	if err != nil {
		return Receipt{}, err
	}
	if err := g.Identity(remote, from.String()); err != nil {
		return Receipt{}, err
	}
	text := m.Text
	if text == "" && len(m.Attachments) == 0 {
		// A message with only a subject ("Refund please") is still the
		// customer's words: the subject is the text.
		text = m.Subject
	}
	if text == "" && len(m.Attachments) == 0 {
		return Receipt{}, parseErr(nil, "the message has no text, no subject and no attachments")
	}
	auth := r.auth.Check(ctx, raw, from.Value, env)
	root := threadRoot(m)
	msg := commands.InboundMessage{
		Channel:           domain.ChannelEmail,
		From:              from,
		DisplayName:       m.FromName,
		ProviderMessageID: m.MessageID,
		ConversationKey:   conversationKey(root, from),
		Subject:           m.Subject,
		Text:              text,
		Attachments:       m.Attachments,
		SentAt:            m.Date,
		// The whole message is within the server's size limit, and so
		// is each of its parts.
		MaxFileBytes:   int64(len(raw)),
		IdentityCheck:  auth.Check,
		Authentication: auth.String(),
	}
	if len(m.Attachments) > 0 {
		msg.Files = func(each func(string, io.Reader) error) error { return Files(raw, r.limits, each) }
	}
	res, err := r.in.ReceiveInbound(ctx, msg, commands.Meta{CorrelationID: threadCorrelation(root)})
	if err != nil {
		return Receipt{}, fmt.Errorf("record email %s: %w", m.MessageID, err)
	}
	r.logger.DebugContext(ctx, "email received", "message_id", m.MessageID, "derived_id", m.Derived,
		"interaction", res.InteractionID, "new_interaction", res.NewInteraction, "auth", auth.String(), "attachments", len(m.Attachments), "cut", m.Truncated)
	return Receipt{InboundResult: res, MessageID: m.MessageID, Root: root}, nil
}

// sender returns the customer's identity: the From address, else the
// envelope sender.
func (r *Receiver) sender(m *Message, envelopeFrom string) (domain.Identity, error) {
	addr := m.From
	if addr == "" {
		addr = strings.TrimSpace(envelopeFrom)
	}
	if addr == "" {
		return domain.Identity{}, &SenderError{Err: fmt.Errorf("the message has no From field and a null envelope sender")}
	}
	id, err := r.in.NormalizeIdentity(domain.Identity{Kind: domain.IdentityEmail, Value: addr})
	if err != nil {
		return domain.Identity{}, &SenderError{Address: addr, Err: err}
	}
	if r.self != "" && id.Value == r.self {
		return domain.Identity{}, &SenderError{Address: addr, Err: fmt.Errorf("mail from the support address itself is a loop")}
	}
	return id, nil
}
