package commands

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// errNoSuchTicket is the one answer for an unknown number and for a
// number that is not the asker's: telling them apart would let anyone
// probe which ticket numbers exist.
func errNoSuchTicket() error {
	return domain.Errorf(domain.ENOTFOUND, "no ticket with that number for that customer")
}

// TicketForPhone returns the ticket with the number when the phone
// number belongs to the ticket's customer (or a customer merged with
// them). Anything else, an unknown number, a phone that is not theirs or
// is malformed, is the same ENOTFOUND error. It reads the ledger, not a
// read model, so the answer is never behind.
func (h *Handler) TicketForPhone(ctx context.Context, number, phone string) (domain.Ticket, error) {
	id, err := h.NormalizeIdentity(domain.Identity{Kind: domain.IdentityPhone, Value: phone})
	if err != nil {
		return domain.Ticket{}, errNoSuchTicket()
	}
	owner, err := load(ctx, h, reservations, h.names.Identity(id), uuid.Nil)
	if err != nil {
		return domain.Ticket{}, err
	}
	if owner.state.Owner == "" {
		return domain.Ticket{}, errNoSuchTicket()
	}
	return h.TicketForCustomer(ctx, number, owner.state.Owner)
}

// TicketForCustomer returns the ticket with the number when it is the
// customer's (following merges both ways to the surviving customer), and
// the ENOTFOUND error of TicketForPhone otherwise.
func (h *Handler) TicketForCustomer(ctx context.Context, number, customerID string) (domain.Ticket, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if number == "" || customerID == "" || len(number) > 64 {
		return domain.Ticket{}, errNoSuchTicket()
	}
	reserved, err := load(ctx, h, ticketNumbers, number, uuid.Nil)
	if err != nil {
		return domain.Ticket{}, err
	}
	if reserved.state.TicketID == "" {
		return domain.Ticket{}, errNoSuchTicket()
	}
	t, err := h.LoadTicket(ctx, reserved.state.TicketID)
	if err != nil {
		return domain.Ticket{}, notFoundAsNoTicket(err)
	}
	same, err := h.sameCustomer(ctx, t.CustomerID, customerID)
	if err != nil {
		return domain.Ticket{}, err
	}
	if !same {
		return domain.Ticket{}, errNoSuchTicket()
	}
	return t, nil
}

func notFoundAsNoTicket(err error) error {
	if isCode(err, domain.ENOTFOUND) {
		return errNoSuchTicket()
	}
	return err
}

// sameCustomer reports whether a and b are one customer once merges are
// followed.
func (h *Handler) sameCustomer(ctx context.Context, a, b string) (bool, error) {
	if a == b {
		return true, nil
	}
	survivor := func(id string) (string, error) {
		cur, err := load(ctx, h, customers, id, uuid.Nil)
		if err != nil {
			return "", err
		}
		return h.followMerges(ctx, cur.state)
	}
	sa, err := survivor(a)
	if err != nil {
		return false, err
	}
	sb, err := survivor(b)
	if err != nil {
		return false, err
	}
	return sa == sb, nil
}

// AnswerStatusQuery answers a self-service status query ("STATUS
// T0123456789", "查询 T0123456789") the customer sent on a text channel,
// on the same interaction: the status of the ticket when it is theirs, the
// same "not found" otherwise. A conversation that was only the query is
// closed with the answer, so it never waits in an agent's queue.
// messageID identifies the answer (sending it again is a no-op). It
// reports false when the text is not a status query.
func (h *Handler) AnswerStatusQuery(ctx context.Context, interactionID, text, messageID string, meta Meta) (bool, Result, error) {
	number, ok := domain.ParseStatusQuery(text)
	if !ok {
		return false, Result{}, nil
	}
	it, err := h.LoadInteraction(ctx, interactionID)
	if err != nil {
		return true, Result{}, err
	}
	if it.HasMessage(messageID) {
		// Answered before. The answer is not sent again, even when the
		// ticket changed since (its text would differ under the same id).
		return true, Result{}, nil
	}
	lang := domain.LanguageOf(text)
	answer := domain.TicketStatusUnknownAnswer(number, lang)
	t, err := h.TicketForCustomer(ctx, number, it.CustomerID)
	switch {
	case err == nil:
		answer = domain.TicketStatusAnswer(t, lang)
	case !isCode(err, domain.ENOTFOUND):
		return true, Result{}, err
	}
	cmds := []domain.InteractionCommand{domain.SendMessage{MessageID: messageID, AgentID: domain.NotifyAgent, Text: answer}}
	if it.Messages <= 1 && it.AgentID == "" && !it.Status.Ended() {
		// Closed by no agent: nobody's work to score or count.
		cmds = append(cmds, domain.CloseInteraction{Disposition: domain.DispositionResolved, Summary: "self-service status query"})
	}
	if it.Status.Ended() {
		return true, Result{}, nil // closed meanwhile: nowhere to answer
	}
	res, err := h.Interaction(ctx, interactionID, meta, cmds...)
	return true, res, err
}
