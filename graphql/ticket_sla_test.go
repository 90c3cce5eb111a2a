package graphql

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

func TestTicketSlaClocks(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	if _, _, err := e.cmds.Sla(e.ctx, f.ticketID, commands.Meta{Actor: "system:sla"},
		domain.StartSla{TicketID: f.ticketID, Metric: domain.SlaResolution, Policy: "std", Target: 8 * time.Hour, WarnShare: 0.5, Calendar: domain.AlwaysOpen()},
		domain.StartSla{TicketID: f.ticketID, Metric: domain.SlaFirstResponse, Policy: "std", Target: time.Hour, Calendar: domain.AlwaysOpen()},
		domain.FulfilSla{Metric: domain.SlaFirstResponse, Calendar: domain.AlwaysOpen()},
	); err != nil {
		t.Fatal(err)
	}
	e.settle()
	var got struct {
		Ticket struct {
			SlaClocks []struct {
				Metric, Policy, State string
				TargetSeconds         float64
				Deadline              *time.Time
				Breached              bool
			}
		}
	}
	e.post(e.token(auth.RoleSupervisor, "s1"), `query($id: ID!) { ticket(id: $id) { slaClocks { metric policy state targetSeconds deadline breached } } }`,
		map[string]any{"id": f.ticketID}).ok(t).decode(t, &got)
	c := got.Ticket.SlaClocks
	if len(c) != 2 || c[0].Metric != "FIRST_RESPONSE" || c[0].State != "FULFILLED" || c[0].Deadline != nil ||
		c[1].Metric != "RESOLUTION" || c[1].State != "RUNNING" || c[1].TargetSeconds != 8*3600 || c[1].Deadline == nil || c[1].Policy != "std" {
		t.Fatalf("slaClocks %+v", c)
	}
}
