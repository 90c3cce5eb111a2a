package domain_test

import (
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideReservation(t *testing.T) {
	k := domain.IdentityPhone
	owned := events(domain.IdentityReserved{Kind: k, CustomerID: "c1", At: ago(hour)})
	transferred := concat(owned, events(domain.IdentityTransferred{Kind: k, From: "c1", To: "c2", At: ago(minute)}))
	released := concat(owned, events(domain.IdentityReleased{Kind: k, CustomerID: "c1", At: ago(minute)}))
	owner := func(want string) func(*testing.T, domain.IdentityReservation) {
		return func(t *testing.T, r domain.IdentityReservation) { eq(t, "Owner", r.Owner, want) }
	}

	cases := []decideCase[domain.IdentityReservation, domain.ReservationCommand]{
		// ReserveIdentity
		{
			name: "reserve an unowned identity", cmd: domain.ReserveIdentity{Kind: k, CustomerID: "c1"},
			want: events(domain.IdentityReserved{Kind: k, CustomerID: "c1", At: now}),
			check: func(t *testing.T, r domain.IdentityReservation) {
				eq(t, "Owner", r.Owner, "c1")
				eq(t, "Kind", r.Kind, k)
			},
		},
		{name: "reserve an identity already owned", given: owned, cmd: domain.ReserveIdentity{Kind: k, CustomerID: "c1"}, check: owner("c1")},
		{name: "reserve an identity owned by another customer", given: owned, cmd: domain.ReserveIdentity{Kind: k, CustomerID: "c2"}, code: domain.ECONFLICT},
		{name: "reserve after a transfer by the old owner", given: transferred, cmd: domain.ReserveIdentity{Kind: k, CustomerID: "c1"}, code: domain.ECONFLICT},
		{name: "reserve after a transfer by the new owner", given: transferred, cmd: domain.ReserveIdentity{Kind: k, CustomerID: "c2"}},
		{name: "reserve after release by another customer", given: released, cmd: domain.ReserveIdentity{Kind: k, CustomerID: "c2"},
			want: events(domain.IdentityReserved{Kind: k, CustomerID: "c2", At: now}), check: owner("c2")},
		{name: "reserve without customer", cmd: domain.ReserveIdentity{Kind: k}, code: domain.EINVALID},
		{name: "reserve an unknown kind", cmd: domain.ReserveIdentity{Kind: "FAX", CustomerID: "c1"}, code: domain.EINVALID},

		// TransferIdentity
		{name: "transfer", given: owned, cmd: domain.TransferIdentity{Kind: k, From: "c1", To: "c2"},
			want: events(domain.IdentityTransferred{Kind: k, From: "c1", To: "c2", At: now}), check: owner("c2")},
		{name: "transfer back", given: transferred, cmd: domain.TransferIdentity{Kind: k, From: "c2", To: "c1"},
			want: events(domain.IdentityTransferred{Kind: k, From: "c2", To: "c1", At: now}), check: owner("c1")},
		{name: "transfer retried", given: transferred, cmd: domain.TransferIdentity{Kind: k, From: "c1", To: "c2"}, check: owner("c2")},
		{name: "transfer from a customer who does not own it", given: owned, cmd: domain.TransferIdentity{Kind: k, From: "c3", To: "c2"}, code: domain.ECONFLICT},
		{name: "transfer an owned identity as unowned", given: owned, cmd: domain.TransferIdentity{Kind: k, To: "c2"}, code: domain.ECONFLICT},
		{name: "transfer without target", given: owned, cmd: domain.TransferIdentity{Kind: k, From: "c1"}, code: domain.EINVALID},
		{name: "transfer an unknown kind", given: owned, cmd: domain.TransferIdentity{Kind: "", From: "c1", To: "c2"}, code: domain.EINVALID},

		// ReleaseIdentity
		{name: "release", given: owned, cmd: domain.ReleaseIdentity{Kind: k, CustomerID: "c1"},
			want: events(domain.IdentityReleased{Kind: k, CustomerID: "c1", At: now}), check: owner("")},
		{name: "release by another customer", given: owned, cmd: domain.ReleaseIdentity{Kind: k, CustomerID: "c2"}, check: owner("c1")},
		{name: "release retried", given: released, cmd: domain.ReleaseIdentity{Kind: k, CustomerID: "c1"}, check: owner("")},
		{name: "release an unowned identity without customer", cmd: domain.ReleaseIdentity{Kind: k}},
		{name: "release by the old owner after a transfer", given: transferred, cmd: domain.ReleaseIdentity{Kind: k, CustomerID: "c1"}, check: owner("c2")},

		{name: "nil command", given: owned, cmd: nil, code: domain.EINVALID},
	}
	runDecide(t, domain.IdentityReservation{}, domain.EvolveReservation, domain.DecideReservation, cases)
}

// TestReservationRace shows the two channels registering one phone number:
// the first reservation wins, the second reads it and is refused.
func TestReservationRace(t *testing.T) {
	var r domain.IdentityReservation
	first, err := domain.DecideReservation(r, domain.ReserveIdentity{Kind: domain.IdentityPhone, CustomerID: "from-sms"}, now)
	if err != nil || len(first) != 1 {
		t.Fatalf("first reservation: %v %v", first, err)
	}
	r = foldAll(r, domain.EvolveReservation, first)
	if _, err := domain.DecideReservation(r, domain.ReserveIdentity{Kind: domain.IdentityPhone, CustomerID: "from-phone"}, now); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second reservation: err %v, want %s", err, domain.ECONFLICT)
	}
}
