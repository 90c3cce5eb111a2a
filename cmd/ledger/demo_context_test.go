package main

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// TestDemoCustomerFacts: every demo customer gets a plan of their tier
// and at least one order, every fact is valid, versions only grow, and
// the same seed gives the same facts.
func TestDemoCustomerFacts(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	facts := func(seed uint64, i int) []domain.RecordBusinessFact {
		rng := rand.New(rand.NewPCG(seed, 1))
		var c *demoCustomer
		for j := 0; j <= i; j++ {
			c = makeDemoCustomer(rng, j)
		}
		return demoCustomerFacts(rand.New(rand.NewPCG(seed, 1_000_000+uint64(i))), c, now)
	}
	tiers := map[domain.Tier]int{}
	for i := range 200 {
		fs := facts(7, i)
		if !reflect.DeepEqual(fs, facts(7, i)) {
			t.Fatalf("customer %d: two runs of one seed differ", i)
		}
		versions := map[domain.FactKey]int64{}
		var plan *domain.RecordBusinessFact
		orders := 0
		for j, f := range fs {
			f.CustomerID = "c"
			if _, err := domain.CleanBusinessFact(f); err != nil {
				t.Fatalf("customer %d fact %d %+v: %v", i, j, f, err)
			}
			if f.Version <= versions[f.Key()] {
				t.Errorf("customer %d: %s sent as version %d after %d", i, f.ExternalID, f.Version, versions[f.Key()])
			}
			versions[f.Key()] = f.Version
			switch f.Kind {
			case domain.FactPlan:
				plan = &fs[j]
			case domain.FactOrder:
				orders++
			}
		}
		if plan == nil || orders == 0 {
			t.Fatalf("customer %d: plan %v, %d orders", i, plan, orders)
		}
		tiers[plan.Tier]++
	}
	if tiers[domain.TierVIP] == 0 || tiers[domain.TierStandard] == 0 {
		t.Errorf("plan tiers of 200 customers: %v, want VIP and standard ones", tiers)
	}
}
