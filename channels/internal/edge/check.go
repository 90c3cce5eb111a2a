package edge

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// Limits the domain applies to an inbound message, checked up front.
const (
	maxSubjectBytes     = 998
	maxDisplayNameRunes = 200
)

// Check refuses, before anything is appended, an inbound message the
// domain would refuse. ReceiveInbound resolves (and may register) the
// customer before it decides on the message itself, so without this a
// malformed message would leave a new customer behind. Every error is a
// domain EINVALID error.
func Check(r Receiver, msg commands.InboundMessage) error {
	if strings.TrimSpace(msg.ProviderMessageID) == "" {
		return invalid("the message has no id")
	}
	if _, err := r.NormalizeIdentity(msg.From); err != nil {
		return err
	}
	if !utf8.ValidString(msg.DisplayName) || utf8.RuneCountInString(strings.TrimSpace(msg.DisplayName)) > maxDisplayNameRunes {
		return invalid("a display name must be valid UTF-8 of at most %d characters", maxDisplayNameRunes)
	}
	if !utf8.ValidString(msg.Subject) || len(msg.Subject) > maxSubjectBytes {
		return invalid("a subject must be valid UTF-8 of at most %d bytes", maxSubjectBytes)
	}
	if !utf8.ValidString(msg.Text) {
		return invalid("the message is not valid UTF-8")
	}
	if len(msg.Text) > domain.MaxMessageBytes {
		return invalid("the message is %d bytes, more than the %d allowed", len(msg.Text), domain.MaxMessageBytes)
	}
	if strings.TrimSpace(msg.Text) == "" && len(msg.Attachments) == 0 && msg.Files == nil && msg.Channel != domain.ChannelPhone {
		return invalid("the message is empty")
	}
	for _, a := range msg.Attachments {
		if a.Size < 0 || a.Name == "" && a.SHA256 == "" {
			return invalid("an attachment needs a name or a hash and a size >= 0")
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, format, args...)
}

// Receive checks msg (see Check) and records it.
func Receive(ctx context.Context, r Receiver, msg commands.InboundMessage) (commands.InboundResult, error) {
	return ReceiveWithin(ctx, r, nil, "", msg)
}

// ReceiveWithin is Receive within g's limit per identity for a message
// from the client address addr: a sender over it is refused with a
// *limit.Error (429 and Retry-After) before anything is appended. A nil g
// limits nothing.
func ReceiveWithin(ctx context.Context, r Receiver, g *limit.Guard, addr string, msg commands.InboundMessage) (commands.InboundResult, error) {
	if err := Check(r, msg); err != nil {
		return commands.InboundResult{}, err
	}
	if g != nil {
		from, _ := r.NormalizeIdentity(msg.From) // Check normalised it already
		if err := g.Identity(addr, from.String()); err != nil {
			return commands.InboundResult{}, err
		}
	}
	return r.ReceiveInbound(ctx, msg, commands.Meta{})
}
