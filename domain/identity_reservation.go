package domain

import "time"

// IdentityReservation is the owner of one identity, folded from the
// identity's reservation stream (IdentityStream). Appending the first
// reservation with "no stream" expected makes ownership unique: of two
// channels racing to register the same phone number, one wins and the other
// reads the winner.
type IdentityReservation struct {
	Kind  IdentityKind
	Owner string // customer id; "" when unowned
}

// Identity reservation events. They carry no identity value: the stream
// name is a digest and the value lives (encryptable) on the customer stream.
type (
	// IdentityReserved gives an unowned identity to a customer.
	IdentityReserved struct {
		Kind       IdentityKind `json:"kind"`
		CustomerID string       `json:"customerId"`
		At         time.Time    `json:"at"`
	}
	// IdentityTransferred moves an identity between customers (merges and
	// their undoing, or an agent correcting a wrong link).
	IdentityTransferred struct {
		Kind IdentityKind `json:"kind"`
		From string       `json:"from"`
		To   string       `json:"to"`
		At   time.Time    `json:"at"`
	}
	// IdentityReleased leaves an identity unowned.
	IdentityReleased struct {
		Kind       IdentityKind `json:"kind"`
		CustomerID string       `json:"customerId"`
		At         time.Time    `json:"at"`
	}
)

func (IdentityReserved) EventType() string    { return "IdentityReserved" }
func (IdentityTransferred) EventType() string { return "IdentityTransferred" }
func (IdentityReleased) EventType() string    { return "IdentityReleased" }

func init() {
	register[IdentityReserved]()
	register[IdentityTransferred]()
	register[IdentityReleased]()
}

// ReservationCommand is a request to change who owns an identity.
type ReservationCommand interface{ reservationCommand() }

type (
	// ReserveIdentity claims an identity for a customer.
	ReserveIdentity struct {
		Kind       IdentityKind
		CustomerID string
	}
	// TransferIdentity moves an identity from one customer to another.
	TransferIdentity struct {
		Kind     IdentityKind
		From, To string
	}
	// ReleaseIdentity gives up a customer's claim.
	ReleaseIdentity struct {
		Kind       IdentityKind
		CustomerID string
	}
)

func (ReserveIdentity) reservationCommand()  {}
func (TransferIdentity) reservationCommand() {}
func (ReleaseIdentity) reservationCommand()  {}

// DecideReservation decides an identity ownership change. Claiming an
// identity the customer already owns yields no events; claiming one owned
// by someone else is a conflict.
func DecideReservation(r IdentityReservation, cmd ReservationCommand, now time.Time) ([]Event, error) {
	switch cmd := cmd.(type) {
	case ReserveIdentity:
		return decideReserve(r, cmd, now)
	case TransferIdentity:
		return decideTransfer(r, cmd, now)
	case ReleaseIdentity:
		if r.Owner != cmd.CustomerID || cmd.CustomerID == "" {
			return nil, nil
		}
		return []Event{IdentityReleased{Kind: cmd.Kind, CustomerID: cmd.CustomerID, At: now}}, nil
	default:
		return nil, invalid("unknown reservation command %T", cmd)
	}
}

func decideReserve(r IdentityReservation, cmd ReserveIdentity, now time.Time) ([]Event, error) {
	if cmd.CustomerID == "" || !cmd.Kind.Valid() {
		return nil, invalid("a reservation needs a customer id and a known identity kind")
	}
	switch r.Owner {
	case cmd.CustomerID:
		return nil, nil
	case "":
		return []Event{IdentityReserved{Kind: cmd.Kind, CustomerID: cmd.CustomerID, At: now}}, nil
	default:
		return nil, conflict("identity is already linked to customer %s", r.Owner)
	}
}

func decideTransfer(r IdentityReservation, cmd TransferIdentity, now time.Time) ([]Event, error) {
	if cmd.To == "" || !cmd.Kind.Valid() {
		return nil, invalid("a transfer needs a target customer and a known identity kind")
	}
	if r.Owner == cmd.To {
		return nil, nil
	}
	if r.Owner != cmd.From {
		return nil, conflict("identity is owned by %q, not %q", r.Owner, cmd.From)
	}
	return []Event{IdentityTransferred{Kind: cmd.Kind, From: cmd.From, To: cmd.To, At: now}}, nil
}

// EvolveReservation folds one event into the reservation.
func EvolveReservation(r IdentityReservation, e Event) IdentityReservation {
	switch e := e.(type) {
	case IdentityReserved:
		r.Kind, r.Owner = e.Kind, e.CustomerID
	case IdentityTransferred:
		r.Owner = e.To
	case IdentityReleased:
		r.Owner = ""
	}
	return r
}
