package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// smsBodies returns the texts the SMS provider stand-in was asked to send.
func (p *providers) smsBodies() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, v := range p.sms {
		out = append(out, v.Get("Body"))
	}
	return out
}

func anyContains(texts []string, fragment string) bool {
	for _, s := range texts {
		if strings.Contains(s, fragment) {
			return true
		}
	}
	return false
}

// TestServeTicketPoliciesEndToEnd runs `ledger serve` with the SMS
// channel, the SLA and notification policies and outbound delivery: a
// customer who texted gets an SMS when their ticket is opened, gets their
// ticket's status by texting "STATUS <number>", and the ticket, never
// answered, breaches its one-second first-response target and is
// escalated to the supervisors' queue.
func TestServeTicketPoliciesEndToEnd(t *testing.T) {
	dir := t.TempDir()
	slaFile := filepath.Join(dir, "sla.yaml")
	if err := os.WriteFile(slaFile, []byte("supervisorQueue: escalations\npolicies:\n  - {name: fast, firstResponse: 1s, resolution: 1h}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := newProviders(t, testAppPushSecret)
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		channelsComponent(p), &slaComponent{enabled: true, file: slaFile}, &notifyComponent{enabled: true}, newOutboundComponent())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.shutdown(5 * time.Second); err != nil {
			t.Error(err)
		}
	}()
	base := "http://" + srv.addr
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)

	const phone = "+8613911112222"
	smsMessage(t, base, "SMin1", phone, "My broadband has been down since this morning")
	h := commands.NewHandler(srv.store) // an agent's desk, writing beside the server
	h.SetTicketRules(domain.DefaultTicketRules())
	var customerID, interactionID string
	eventually(t, "the text reaches the ledger and the read side", func() bool {
		id, found, err := srv.readDB.CustomerByIdentity(t.Context(), domain.Identity{Kind: domain.IdentityPhone, Value: phone})
		if err != nil || !found {
			return false
		}
		page, err := srv.readDB.CustomerInteractions(t.Context(), id, 1, "")
		if err != nil || len(page.Interactions) == 0 {
			return false
		}
		customerID, interactionID = id, page.Interactions[0].ID
		return true
	})
	_, ticket, err := h.OpenTicketFromInteraction(t.Context(), interactionID, domain.OpenTicket{Subject: "Broadband down, not working"}, commands.Meta{Actor: "agent:a1"})
	if err != nil {
		t.Fatal(err)
	}
	if ticket.CustomerID != customerID || ticket.Category != domain.CategoryFaultReport {
		t.Fatalf("ticket %+v: want a fault report (keyword rules) of the texting customer", ticket)
	}
	eventually(t, "the opening notice is sent by SMS", func() bool {
		return anyContains(p.smsBodies(), "We have received your request (ticket "+ticket.Number)
	})

	smsMessage(t, base, "SMin2", phone, "STATUS "+ticket.Number)
	eventually(t, "the status query is answered by SMS", func() bool {
		return anyContains(p.smsBodies(), "Ticket "+ticket.Number+" is received.")
	})

	eventually(t, "the unanswered ticket breaches and escalates", func() bool {
		tk, err := h.LoadTicket(t.Context(), ticket.ID)
		return err == nil && tk.Queue == "escalations" && tk.Priority == domain.PriorityUrgent
	})
	clocks, err := h.LoadSla(t.Context(), ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := clocks.Clocks[domain.SlaFirstResponse]; !c.Breached || !c.Warned || c.Policy != "fast" {
		t.Fatalf("first-response clock %+v", c)
	}
}
