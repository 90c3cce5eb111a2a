package projections

import (
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func fact(customer string, kind domain.FactKind, source, id string, version int64, minute float64, attrs map[string]string) domain.BusinessFactRecorded {
	return domain.BusinessFactRecorded{CustomerID: customer, Kind: kind, Source: source, ExternalID: id, Version: version,
		Attributes: attrs, At: at(minute)}
}

func TestCustomer360BusinessContext(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	plan := fact("c1", domain.FactPlan, "crm", "PL-1", 1, 1, map[string]string{"name": "Basic"})
	planV2 := fact("c1", domain.FactPlan, "crm", "PL-1", 2, 2, map[string]string{"name": "Unlimited 5G"})
	planV2.Tier = domain.TierVIP
	events := concat(registered("c1", "Ann"), registered("c2", "Ann's old account"), []domain.Event{
		plan, planV2,
		fact("c1", domain.FactPlan, "crm", "PL-1", 1, 3, map[string]string{"name": "late old version"}), // older, applied after
		fact("c1", domain.FactDevice, "mdm", "IMEI-1", 1, 3, map[string]string{"model": "Phone X"}),
		fact("c2", domain.FactContract, "erp", "K-9", 1, 3, nil),
	})
	for i := range RecentOrders + 2 {
		o := fact("c1", domain.FactOrder, "shop", fmt.Sprintf("SO-%d", i), 1, 10+float64(i), map[string]string{"total": fmt.Sprint(i)})
		if i == 0 {
			o.EffectiveAt = at(50) // placed last in the shop, recorded first
		}
		events = append(events, o, o) // delivered twice: stored once
	}
	events = append(events, merge("c2", "c1")...)
	h.emit(r, events...)

	got, err := h.db.CustomerContext(h.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Plans) != 1 || got.Plans[0].Version != 2 || got.Plans[0].Tier != domain.TierVIP || got.Plans[0].Attributes["name"] != "Unlimited 5G" {
		t.Fatalf("plans = %+v, want version 2 of PL-1 only", got.Plans)
	}
	var orders []string
	for _, o := range got.Orders {
		orders = append(orders, o.ExternalID)
	}
	want := []string{"SO-0", "SO-6", "SO-5", "SO-4", "SO-3"}
	if fmt.Sprint(orders) != fmt.Sprint(want) {
		t.Errorf("recent orders = %v, want %v (newest first, by effective time, %d of them)", orders, want, RecentOrders)
	}
	all, err := h.db.CustomerContextAll(h.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Orders) != RecentOrders+2 {
		t.Errorf("every order (a subject's export): %d, want %d", len(all.Orders), RecentOrders+2)
	}
	if len(got.Devices) != 1 || got.Devices[0].Attributes["model"] != "Phone X" || got.Devices[0].Source != "mdm" {
		t.Errorf("devices = %+v", got.Devices)
	}
	if len(got.Contracts) != 1 || got.Contracts[0].CustomerID != "c2" || len(got.Contracts[0].Attributes) != 0 {
		t.Errorf("contracts = %+v, want the merged customer's", got.Contracts)
	}
	var rows int
	if err := h.db.r.QueryRowContext(h.ctx, `SELECT count(*) FROM customer_facts WHERE kind = 'ORDER'`).Scan(&rows); err != nil || rows != RecentOrders+2 {
		t.Errorf("order rows = %d (%v), want %d: each order once", rows, err, RecentOrders+2)
	}
}

// TestVIPPlanRaisesRoutingTier is the routing test of business context: a
// standard customer whose CRM records a VIP plan is served before a gold
// customer who waited longer, and before the plan, after them.
func TestVIPPlanRaisesRoutingTier(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	queued := func(interaction, customer string, minute float64) []domain.Event {
		return []domain.Event{
			domain.InteractionStarted{InteractionID: interaction, CustomerID: customer, Channel: domain.ChannelWebchat, At: at(minute)},
			domain.InteractionQueued{InteractionID: interaction, Queue: "general", Priority: domain.PriorityNormal, At: at(minute)},
		}
	}
	gold := registered("gold", "Gail")
	gold[0] = domain.CustomerRegistered{CustomerID: "gold", DisplayName: "Gail", Tier: domain.TierGold, At: at(0)}
	h.emit(r, concat(gold, registered("std", "Sam"), queued("i-gold", "gold", 1), queued("i-std", "std", 2))...)

	agents := []domain.RoutingAgent{{ID: "a1", Capacity: map[domain.Channel]int{domain.ChannelWebchat: 1}, Presence: domain.PresenceAvailable}}
	first := func() string {
		t.Helper()
		waiting, err := NewRoutingView(h.db).Waiting(h.ctx, at(5))
		if err != nil {
			t.Fatal(err)
		}
		d := domain.Route(domain.RoutingRules{}, waiting, agents, at(5))
		if len(d.Assignments) != 1 {
			t.Fatalf("assignments %+v from %+v", d.Assignments, waiting)
		}
		return d.Assignments[0].InteractionID
	}
	if got := first(); got != "i-gold" {
		t.Fatalf("before the plan, %s was served first, want the gold customer's", got)
	}
	vip := fact("std", domain.FactPlan, "crm", "PL-7", 1, 3, map[string]string{"name": "Platinum"})
	vip.Tier = domain.TierVIP
	h.emit(r, vip)
	if got := first(); got != "i-std" {
		t.Fatalf("with a VIP plan, %s was served first, want the plan holder's", got)
	}
	// A plan below the customer's own tier does not lower it.
	silver := fact("gold", domain.FactPlan, "crm", "PL-8", 1, 4, nil)
	silver.Tier = domain.TierSilver
	h.emit(r, silver)
	waiting, err := NewRoutingView(h.db).Waiting(h.ctx, at(5))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range waiting {
		want := map[string]domain.Tier{"i-gold": domain.TierGold, "i-std": domain.TierVIP}[w.InteractionID]
		if w.Tier != want {
			t.Errorf("%s routes as %s, want %s", w.InteractionID, w.Tier, want)
		}
	}
}
