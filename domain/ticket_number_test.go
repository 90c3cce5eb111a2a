package domain_test

import (
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideTicketNumber(t *testing.T) {
	taken := events(domain.TicketNumberReserved{Number: "T-1001", TicketID: "t1", At: ago(hour)})
	cases := []decideCase[domain.TicketNumber, domain.ReserveTicketNumber]{
		{name: "reserve", cmd: domain.ReserveTicketNumber{Number: "T-1001", TicketID: "t1"},
			want: events(domain.TicketNumberReserved{Number: "T-1001", TicketID: "t1", At: now}),
			check: func(t *testing.T, n domain.TicketNumber) {
				eq(t, "TicketID", n.TicketID, "t1")
				eq(t, "Number", n.Number, "T-1001")
			}},
		{name: "reserve retried", given: taken, cmd: domain.ReserveTicketNumber{Number: "T-1001", TicketID: "t1"}},
		{name: "reserve a taken number", given: taken, cmd: domain.ReserveTicketNumber{Number: "T-1001", TicketID: "t2"}, code: domain.ECONFLICT},
		{name: "reserve without number", cmd: domain.ReserveTicketNumber{TicketID: "t1"}, code: domain.EINVALID},
		{name: "reserve without ticket", cmd: domain.ReserveTicketNumber{Number: "T-1"}, code: domain.EINVALID},
	}
	runDecide(t, domain.TicketNumber{}, domain.EvolveTicketNumber, domain.DecideTicketNumber, cases)
	if domain.TicketNumberStream("t-1001") != domain.TicketNumberStream("T-1001") {
		t.Error("ticket number streams depend on letter case")
	}
}
