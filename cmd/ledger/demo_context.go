package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// The demo's business context: what the CRM, the web shop, the device
// management system and the ERP behind the contact centre know about a
// customer, recorded once, on their first contact, as those systems would
// through /integrations/facts.

// demoPlans are the plans of each tier: a name and a monthly fee in yuan.
var demoPlans = map[domain.Tier][]struct {
	name string
	fee  int
	data string
}{
	domain.TierStandard: {{"基础套餐 Basic 30GB", 58, "30GB"}, {"Prepaid Flex", 38, "10GB"}},
	domain.TierSilver:   {{"畅享套餐 Plus 60GB", 98, "60GB"}, {"Fibre 300M + Mobile", 129, "60GB"}},
	domain.TierGold:     {{"尊享套餐 Premium 100GB", 158, "100GB"}, {"Fibre 1000M Family", 199, "100GB"}},
	domain.TierVIP:      {{"全家享 Unlimited Family", 298, "unlimited"}, {"Business Unlimited Pro", 388, "unlimited"}},
}

var demoProducts = []struct {
	name  string
	price int
}{
	{"Wi-Fi 6 router", 399}, {"Mesh extender", 269}, {"Smart TV box", 349}, {"Fibre installation", 199},
	{"5G SIM upgrade", 0}, {"Phone case", 59}, {"Roaming pack Asia 7 days", 68}, {"Extra 20GB data", 30},
}

var demoOrderStatus = []string{"PAID", "SHIPPED", "DELIVERED", "DELIVERED", "DELIVERED", "REFUNDED"}

var demoDeviceModels = []string{"Huawei Mate 60", "iPhone 15", "Xiaomi 14", "OPPO Find X7", "ZTE F670L ONT", "TP-Link Deco X50", "vivo X100"}

// recordContext records a customer's plan, recent orders, devices and,
// for some, a contract, by the identity they first came in with. Its own
// random stream (from the seed and the customer) keeps the traffic the
// same as without it, and each customer's context the same on every run.
func (d *demoTraffic) recordContext(ctx context.Context, h *commands.Handler, c *demoCustomer, who domain.Identity, now time.Time) error {
	rng := rand.New(rand.NewPCG(d.cfg.Seed, 1_000_000+uint64(c.index)))
	facts := demoCustomerFacts(rng, c, now)
	for _, f := range facts {
		if _, err := h.RecordBusinessFact(ctx, who, f, commands.Meta{Actor: "integration:" + f.Source}); err != nil {
			return fmt.Errorf("demo context of customer %d: %w", c.index, err)
		}
	}
	d.stats.facts.Add(int64(len(facts)))
	return nil
}

// demoCustomerFacts returns the facts of c, in the order their systems
// send them (an upgraded plan and a delivered order as two versions).
func demoCustomerFacts(rng *rand.Rand, c *demoCustomer, now time.Time) []domain.RecordBusinessFact {
	ago := func(maxDays int) time.Time {
		return now.Add(-time.Duration(1+rng.IntN(maxDays*24)) * time.Hour).Truncate(time.Minute)
	}
	plans := demoPlans[c.tier]
	p := plans[rng.IntN(len(plans))]
	planID := fmt.Sprintf("PL-%07d", c.index)
	plan := domain.RecordBusinessFact{Kind: domain.FactPlan, Source: "crm", ExternalID: planID, Version: 1, Tier: c.tier,
		Attributes:  map[string]string{"planName": p.name, "monthlyFee": fmt.Sprintf("¥%d", p.fee), "data": p.data, "status": "ACTIVE"},
		EffectiveAt: ago(720)}
	var out []domain.RecordBusinessFact
	if c.tier != domain.TierStandard && rng.IntN(3) == 0 {
		// Upgraded from a standard plan: the CRM sent the old plan first.
		old := demoPlans[domain.TierStandard][0]
		out = append(out, domain.RecordBusinessFact{Kind: domain.FactPlan, Source: "crm", ExternalID: planID, Version: 1,
			Tier: domain.TierStandard, Attributes: map[string]string{"planName": old.name, "monthlyFee": fmt.Sprintf("¥%d", old.fee),
				"data": old.data, "status": "ACTIVE"}, EffectiveAt: ago(1000)})
		plan.Version = 2
	}
	out = append(out, plan)
	for i := range 1 + rng.IntN(4) {
		item := demoProducts[rng.IntN(len(demoProducts))]
		qty := 1 + rng.IntN(2)
		o := domain.RecordBusinessFact{Kind: domain.FactOrder, Source: "shop", ExternalID: fmt.Sprintf("SO-%07d-%d", c.index, i+1), Version: 1,
			Attributes: map[string]string{"item": item.name, "quantity": fmt.Sprint(qty), "total": fmt.Sprintf("¥%d.00", item.price*qty),
				"status": demoOrderStatus[rng.IntN(len(demoOrderStatus))]},
			EffectiveAt: ago(90)}
		out = append(out, o)
		if o.Attributes["status"] == "DELIVERED" && rng.IntN(2) == 0 {
			// The shop sent the order when it was paid, then again when delivered.
			paid := o
			paid.Attributes = map[string]string{"item": item.name, "quantity": fmt.Sprint(qty), "total": o.Attributes["total"], "status": "PAID"}
			out[len(out)-1], o.Version = paid, 2
			out = append(out, o)
		}
	}
	for i := range rng.IntN(3) {
		model := demoDeviceModels[rng.IntN(len(demoDeviceModels))]
		out = append(out, domain.RecordBusinessFact{Kind: domain.FactDevice, Source: "mdm", ExternalID: fmt.Sprintf("DEV-%07d-%d", c.index, i+1),
			Version: 1, Attributes: map[string]string{"model": model, "imei": fmt.Sprintf("35%06d%07d", c.index%1_000_000, rng.IntN(10_000_000))},
			EffectiveAt: ago(700)})
	}
	if rng.IntN(100) < 30 || c.tier == domain.TierVIP {
		start := ago(500)
		out = append(out, domain.RecordBusinessFact{Kind: domain.FactContract, Source: "erp", ExternalID: fmt.Sprintf("CT-%07d", c.index),
			Version: 1, Attributes: map[string]string{"term": "24 months", "endsOn": start.AddDate(2, 0, 0).Format(time.DateOnly)},
			EffectiveAt: start})
	}
	return out
}
