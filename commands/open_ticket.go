package commands

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

const numberAttempts = 8

// OpenTicket opens a ticket for a customer and gives it a unique number the
// customer can quote. When cmd.TicketID is empty the id is derived from the
// idempotency key (or random without one). A customer merged into another
// gets the ticket on the customer it was merged into.
func (h *Handler) OpenTicket(ctx context.Context, cmd domain.OpenTicket, meta Meta) (Result, domain.Ticket, error) {
	var res Result
	ticket, err := runFlow(ctx, h, "OpenTicket", func() (domain.Ticket, Result, error) {
		var t domain.Ticket
		var err error
		res, t, err = h.openTicket(ctx, cmd, meta)
		return t, res, err
	})
	return res, ticket, err
}

func (h *Handler) openTicket(ctx context.Context, cmd domain.OpenTicket, meta Meta) (Result, domain.Ticket, error) {
	customer, err := h.LoadCustomer(ctx, cmd.CustomerID)
	if err != nil {
		return Result{}, domain.Ticket{}, err
	}
	if cmd.CustomerID, err = h.followMerges(ctx, customer); err != nil {
		return Result{}, domain.Ticket{}, err
	}
	if err := h.checkTicketOrigin(ctx, cmd.InteractionID, cmd.CustomerID); err != nil {
		return Result{}, domain.Ticket{}, err
	}
	cmd = h.classify(cmd)
	if cmd.TicketID == "" {
		cmd.TicketID = NewID()
		if meta.IdempotencyKey != "" {
			cmd.TicketID = DeriveID("ticket", meta.IdempotencyKey)
		}
	}
	existing, err := load(ctx, h, tickets, cmd.TicketID, uuid.Nil)
	if err != nil {
		return Result{}, domain.Ticket{}, err
	}
	if existing.state.Exists() {
		return Result{Stream: domain.TicketStream(cmd.TicketID), Version: existing.version}, existing.state, nil
	}
	number, reserved, err := h.reserveTicketNumber(ctx, cmd.TicketID, meta)
	if err != nil {
		return reserved, domain.Ticket{}, err
	}
	cmd.Number = number
	opened, ticket, err := execute(ctx, h, tickets, cmd.TicketID, meta.withKey("open"), domain.TicketCommand(cmd))
	opened.Position = maxPosition(reserved, opened)
	return opened, ticket, err
}

// checkTicketOrigin refuses a ticket opened from an interaction that does
// not exist, or that is another customer's: the interaction's customer,
// followed through merges, must be the ticket's.
func (h *Handler) checkTicketOrigin(ctx context.Context, interactionID, customerID string) error {
	if interactionID == "" {
		return nil
	}
	it, err := h.LoadInteraction(ctx, interactionID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return domain.Errorf(domain.EINVALID, "interaction %s does not exist", interactionID)
	}
	if err != nil {
		return err
	}
	owner, err := h.LoadCustomer(ctx, it.CustomerID)
	if err != nil {
		return fmt.Errorf("customer of interaction %s: %w", interactionID, err)
	}
	holder, err := h.followMerges(ctx, owner)
	if err != nil {
		return err
	}
	if holder != customerID {
		return domain.Errorf(domain.EINVALID, "interaction %s is another customer's", interactionID)
	}
	return nil
}

// reserveTicketNumber claims the first free candidate number for the
// ticket. Candidates are derived from the ticket id, so a retry proposes the
// same numbers in the same order and finds its own reservation.
func (h *Handler) reserveTicketNumber(ctx context.Context, ticketID string, meta Meta) (string, Result, error) {
	for attempt := range numberAttempts {
		number := ticketNumber(ticketID, attempt)
		res, _, err := execute(ctx, h, ticketNumbers, number, meta.withKey("number-"+number),
			domain.ReserveTicketNumber{Number: number, TicketID: ticketID})
		if err == nil {
			return number, res, nil
		}
		if !isCode(err, domain.ECONFLICT) {
			return "", res, err
		}
	}
	return "", Result{}, domain.Errorf(domain.ECONFLICT, "no free ticket number after %d attempts; try again", numberAttempts)
}

// ticketNumber is the attempt-th candidate number for a ticket: "T" and ten
// digits, easy to read out on the phone.
func ticketNumber(ticketID string, attempt int) string {
	sum := sha256.Sum256([]byte(ticketID + "#" + strconv.Itoa(attempt)))
	n := binary.BigEndian.Uint64(sum[:8]) % 10_000_000_000
	return fmt.Sprintf("T%010d", n)
}
