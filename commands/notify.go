package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// Contact is where a customer is written to: a written channel and their
// address on it.
type Contact struct {
	Channel  domain.Channel
	Identity domain.Identity
}

// ContactFinder finds the channel to write to a customer on: their
// preferred written channel, else the one they used last. It returns an
// ENOTFOUND error when the customer cannot be written to (only ever
// phoned, say).
type ContactFinder interface {
	FindContact(ctx context.Context, customerID string) (Contact, error)
}

// ContactFinderFunc adapts a function to ContactFinder.
type ContactFinderFunc func(ctx context.Context, customerID string) (Contact, error)

// FindContact implements ContactFinder.
func (f ContactFinderFunc) FindContact(ctx context.Context, customerID string) (Contact, error) {
	return f(ctx, customerID)
}

// Notification is a message the ledger writes to a customer on its own.
type Notification struct {
	CustomerID string
	Contact    Contact
	// Topic groups notifications into one outbound interaction per topic
	// and channel (a ticket's id: all its notices in one thread).
	Topic   string
	Subject string
	// MessageID identifies the message; sending it again is a no-op.
	MessageID string
	Text      string
	// Close ends the topic's interaction after this message (the ticket
	// was resolved).
	Close bool
}

// SendNotification records a message to the customer as a MessageSent by
// domain.NotifyAgent on an outbound interaction of the contact's channel,
// started when needed. The outbound dispatcher delivers it like any reply:
// through the channel's sender, every attempt recorded as
// MessageDelivered or MessageDeliveryFailed, failures retried with backoff.
func (h *Handler) SendNotification(ctx context.Context, n Notification, meta Meta) (Result, error) {
	if !domain.WrittenChannel(n.Contact.Channel) || n.Contact.Identity.Value == "" {
		return Result{}, domain.Errorf(domain.EINVALID, "a notification needs a written channel and an address (got channel %s, an address of %d bytes)", n.Contact.Channel, len(n.Contact.Identity.Value))
	}
	if n.CustomerID == "" || n.MessageID == "" || n.Topic == "" {
		return Result{}, domain.Errorf(domain.EINVALID, "a notification needs a customer, a topic and a message id")
	}
	id := DeriveID("notification", n.CustomerID+"|"+n.Topic+"|"+string(n.Contact.Channel)+"|"+n.Contact.Identity.String())
	for range maxRollovers {
		res, it, err := executePlan(ctx, h, interactions, id, meta, "SendNotification", func(l loaded[domain.Interaction]) []domain.InteractionCommand {
			return notificationCommands(l.state, id, n)
		})
		if err != nil || !it.Status.Ended() || it.HasMessage(n.MessageID) {
			return res, err
		}
		// The topic's thread was closed (a resolved ticket reopened): the
		// next message starts another one.
		id = DeriveID("notification", id+"|"+n.MessageID)
	}
	return Result{}, domain.Errorf(domain.ECONFLICT, "no open notification thread for %s", n.Topic)
}

func notificationCommands(it domain.Interaction, id string, n Notification) []domain.InteractionCommand {
	if it.HasMessage(n.MessageID) || it.Status.Ended() {
		return nil
	}
	var cmds []domain.InteractionCommand
	if !it.Exists() {
		cmds = append(cmds, domain.StartInteraction{InteractionID: id, CustomerID: n.CustomerID, Channel: n.Contact.Channel,
			Identity: n.Contact.Identity, Subject: n.Subject})
	}
	cmds = append(cmds, domain.SendMessage{MessageID: n.MessageID, AgentID: domain.NotifyAgent, Text: n.Text})
	if n.Close {
		// Closed by no agent: nobody's work to score or count.
		cmds = append(cmds, domain.CloseInteraction{Disposition: domain.DispositionNoAction, Summary: "notification"})
	}
	return cmds
}

// NotifyTicket tells the customer of a ticket what happened to it
// (notice, with detail such as the resolution), on the channel finder
// picks. sourceEventID is the id of the ticket event: the message's
// identity, so telling twice is a no-op. A customer who cannot be written
// to is not told (nil error, empty result).
func (h *Handler) NotifyTicket(ctx context.Context, finder ContactFinder, ticketID string, notice domain.TicketNotice, detail, sourceEventID string, meta Meta) (Result, error) {
	t, err := h.LoadTicket(ctx, ticketID)
	if err != nil {
		return Result{}, err
	}
	contact, err := finder.FindContact(ctx, t.CustomerID)
	if isCode(err, domain.ENOTFOUND) {
		return Result{}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("contact of customer %s: %w", t.CustomerID, err)
	}
	subject := "Ticket " + t.Number
	if domain.LanguageOf(t.Subject) == domain.LanguageChinese {
		subject = "工单 " + t.Number
	}
	res, err := h.SendNotification(ctx, Notification{
		CustomerID: t.CustomerID, Contact: contact, Topic: "ticket:" + t.ID, Subject: subject,
		MessageID: "notify:" + sourceEventID, Text: domain.TicketNoticeText(t, notice, detail),
		Close: notice == domain.NoticeResolved,
	}, meta)
	if errors.Is(err, datakeys.ErrErased) {
		// Erased while the notice waited (the read side had not caught
		// up): there is nobody left to tell, and trying again cannot help.
		return Result{}, nil
	}
	return res, err
}

// ConfirmPromise sends the customer of an interaction (a phone call,
// typically) a written confirmation of what the agent promised, on their
// preferred written channel. It returns ENOTFOUND when the customer has no
// written channel. The confirmation is keyed by the idempotency key when
// the request has one, so a retried request sends it once.
func (h *Handler) ConfirmPromise(ctx context.Context, finder ContactFinder, interactionID, agentID, promise string, meta Meta) (Result, error) {
	if strings.TrimSpace(agentID) == "" {
		return Result{}, domain.Errorf(domain.EINVALID, "a promise is confirmed by the agent who made it")
	}
	if strings.TrimSpace(promise) == "" {
		return Result{}, domain.Errorf(domain.EINVALID, "the promise is empty")
	}
	it, err := h.LoadInteraction(ctx, interactionID)
	if err != nil {
		return Result{}, err
	}
	contact, err := finder.FindContact(ctx, it.CustomerID)
	if err != nil {
		return Result{}, fmt.Errorf("contact of customer %s: %w", it.CustomerID, err)
	}
	messageID := "promise:" + uuid.NewString()
	if meta.IdempotencyKey != "" {
		messageID = "promise:" + DeriveID("promise", meta.IdempotencyKey)
	}
	if meta.Actor == "" {
		meta.Actor = "agent:" + agentID
	}
	return h.SendNotification(ctx, Notification{
		CustomerID: it.CustomerID, Contact: contact, Topic: "promise:" + interactionID, Subject: "Confirmation of your call",
		MessageID: messageID, Text: domain.PromiseConfirmationText(promise, domain.LanguageOf(promise)),
	}, meta)
}
