package domain

import (
	"strings"
	"time"
)

// TicketNumber is the short reference a customer quotes on the phone. A
// number belongs to one ticket: its reservation stream is appended with
// "no stream" expected, so two tickets can never share one.
type TicketNumber struct {
	Number   string
	TicketID string
}

// TicketNumberStream names the reservation stream of a ticket number.
func TicketNumberStream(number string) string {
	return CategoryTicketNumber + "-" + strings.ToUpper(number)
}

// TicketNumberReserved gives a number to a ticket.
type TicketNumberReserved struct {
	Number   string    `json:"number"`
	TicketID string    `json:"ticketId"`
	At       time.Time `json:"at"`
}

func (TicketNumberReserved) EventType() string { return "TicketNumberReserved" }

func init() { register[TicketNumberReserved]() }

// ReserveTicketNumber claims a number for a ticket.
type ReserveTicketNumber struct {
	Number   string
	TicketID string
}

// DecideTicketNumber decides a number reservation: a number already held by
// the same ticket is a no-op, one held by another ticket a conflict.
func DecideTicketNumber(n TicketNumber, cmd ReserveTicketNumber, now time.Time) ([]Event, error) {
	if cmd.Number == "" || cmd.TicketID == "" {
		return nil, invalid("a ticket number reservation needs a number and a ticket")
	}
	switch n.TicketID {
	case cmd.TicketID:
		return nil, nil
	case "":
		return []Event{TicketNumberReserved{Number: cmd.Number, TicketID: cmd.TicketID, At: now}}, nil
	default:
		return nil, conflict("ticket number %s is taken", cmd.Number)
	}
}

// EvolveTicketNumber folds a reservation event.
func EvolveTicketNumber(n TicketNumber, e Event) TicketNumber {
	if e, ok := e.(TicketNumberReserved); ok {
		n.Number, n.TicketID = e.Number, e.TicketID
	}
	return n
}
