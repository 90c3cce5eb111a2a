package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideBusinessContext(t *testing.T) {
	effective := ago(48 * hour)
	order := func(version int64, total string) domain.RecordBusinessFact {
		return domain.RecordBusinessFact{CustomerID: "c1", Kind: domain.FactOrder, Source: "shop", ExternalID: "SO-1001",
			Version: version, Attributes: map[string]string{"total": total, "status": "SHIPPED"}, EffectiveAt: effective}
	}
	recorded := func(version, previous int64, total string, at time.Time) domain.BusinessFactRecorded {
		return domain.BusinessFactRecorded{CustomerID: "c1", Kind: domain.FactOrder, Source: "shop", ExternalID: "SO-1001",
			Version: version, PreviousVersion: previous, Attributes: map[string]string{"total": total, "status": "SHIPPED"},
			EffectiveAt: effective, At: at}
	}
	v2 := recorded(2, 0, "99.00", ago(hour))
	version := func(want int64) func(*testing.T, domain.BusinessContext) {
		return func(t *testing.T, c domain.BusinessContext) {
			eq(t, "version", c.VersionOf(domain.FactKey{Kind: domain.FactOrder, Source: "shop", ExternalID: "SO-1001"}), want)
		}
	}
	plan := domain.RecordBusinessFact{CustomerID: "c1", Kind: domain.FactPlan, Source: "crm", ExternalID: "PL-7", Version: 1,
		Tier: domain.TierVIP, Attributes: map[string]string{"name": " Unlimited 5G ", "blank": "  "}}
	with := func(f func(*domain.RecordBusinessFact)) domain.RecordBusinessFact {
		cmd := order(1, "1.00")
		f(&cmd)
		return cmd
	}
	manyAttrs := map[string]string{}
	for i := range domain.MaxFactAttributes + 1 {
		manyAttrs["a"+strings.Repeat("x", i)] = "v"
	}
	bigAttrs := map[string]string{}
	for i := range 10 {
		bigAttrs["k"+strings.Repeat("x", i)] = strings.Repeat("v", domain.MaxFactAttrValueLen)
	}
	cases := []decideCase[domain.BusinessContext, domain.RecordBusinessFact]{
		{name: "new fact", cmd: order(2, "99.00"), want: events(recorded(2, 0, "99.00", now)), check: version(2)},
		{name: "same version again is stored once", given: events(v2), cmd: order(2, "99.00"), check: version(2)},
		{name: "same version with other content is still the recorded one", given: events(v2), cmd: order(2, "5.00"), check: version(2)},
		{name: "newer version replaces", given: events(v2), cmd: order(3, "120.00"), want: events(recorded(3, 2, "120.00", now)), check: version(3)},
		{name: "older version is stale, no event", given: events(v2), cmd: order(1, "10.00"), check: version(2)},
		{name: "plan with tier, values trimmed, empty dropped", cmd: plan, want: events(domain.BusinessFactRecorded{
			CustomerID: "c1", Kind: domain.FactPlan, Source: "crm", ExternalID: "PL-7", Version: 1, Tier: domain.TierVIP,
			Attributes: map[string]string{"name": "Unlimited 5G"}, At: now})},
		{name: "another source's fact with the same id is another fact", given: events(v2),
			cmd: with(func(c *domain.RecordBusinessFact) { c.Source = "erp"; c.Version = 1 }),
			want: events(domain.BusinessFactRecorded{CustomerID: "c1", Kind: domain.FactOrder, Source: "erp", ExternalID: "SO-1001",
				Version: 1, Attributes: map[string]string{"total": "1.00", "status": "SHIPPED"}, EffectiveAt: effective, At: now}),
			check: version(2)},
		{name: "unknown kind", cmd: with(func(c *domain.RecordBusinessFact) { c.Kind = "INVOICE" }), code: domain.EINVALID},
		{name: "no customer", cmd: with(func(c *domain.RecordBusinessFact) { c.CustomerID = "" }), code: domain.EINVALID},
		{name: "another customer's stream", given: events(v2), cmd: with(func(c *domain.RecordBusinessFact) { c.CustomerID = "c2" }), code: domain.EINVALID},
		{name: "no source", cmd: with(func(c *domain.RecordBusinessFact) { c.Source = "" }), code: domain.EINVALID},
		{name: "effective before 1900", cmd: with(func(c *domain.RecordBusinessFact) { c.EffectiveAt = time.Date(1677, 1, 1, 0, 0, 0, 0, time.UTC) }), code: domain.EINVALID},
		{name: "effective after 2200", cmd: with(func(c *domain.RecordBusinessFact) { c.EffectiveAt = time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC) }), code: domain.EINVALID},
		{name: "source with spaces", cmd: with(func(c *domain.RecordBusinessFact) { c.Source = "my crm" }), code: domain.EINVALID},
		{name: "source too long", cmd: with(func(c *domain.RecordBusinessFact) { c.Source = strings.Repeat("s", domain.MaxFactSourceLen+1) }), code: domain.EINVALID},
		{name: "no external id", cmd: with(func(c *domain.RecordBusinessFact) { c.ExternalID = " " }), code: domain.EINVALID},
		{name: "external id with a newline", cmd: with(func(c *domain.RecordBusinessFact) { c.ExternalID = "a\nb" }), code: domain.EINVALID},
		{name: "external id too long", cmd: with(func(c *domain.RecordBusinessFact) { c.ExternalID = strings.Repeat("1", domain.MaxFactExternalIDLen+1) }), code: domain.EINVALID},
		{name: "version zero", cmd: with(func(c *domain.RecordBusinessFact) { c.Version = 0 }), code: domain.EINVALID},
		{name: "negative version", cmd: with(func(c *domain.RecordBusinessFact) { c.Version = -3 }), code: domain.EINVALID},
		{name: "tier on an order", cmd: with(func(c *domain.RecordBusinessFact) { c.Tier = domain.TierVIP }), code: domain.EINVALID},
		{name: "unknown tier", cmd: domain.RecordBusinessFact{CustomerID: "c1", Kind: domain.FactPlan, Source: "crm", ExternalID: "P", Version: 1, Tier: "PLATINUM"}, code: domain.EINVALID},
		{name: "too many attributes", cmd: with(func(c *domain.RecordBusinessFact) { c.Attributes = manyAttrs }), code: domain.EINVALID},
		{name: "attributes too big together", cmd: with(func(c *domain.RecordBusinessFact) { c.Attributes = bigAttrs }), code: domain.EINVALID},
		{name: "attribute value too long", cmd: with(func(c *domain.RecordBusinessFact) {
			c.Attributes = map[string]string{"note": strings.Repeat("x", domain.MaxFactAttrValueLen+1)}
		}), code: domain.EINVALID},
		{name: "attribute name with a space", cmd: with(func(c *domain.RecordBusinessFact) { c.Attributes = map[string]string{"order total": "1"} }), code: domain.EINVALID},
		{name: "attribute value not UTF-8", cmd: with(func(c *domain.RecordBusinessFact) { c.Attributes = map[string]string{"model": "\xff"} }), code: domain.EINVALID},
	}
	runDecide(t, domain.BusinessContext{}, domain.EvolveBusinessContext, domain.DecideBusinessContext, cases)
}

func TestClassifyFact(t *testing.T) {
	c := domain.EvolveBusinessContext(domain.BusinessContext{}, domain.BusinessFactRecorded{
		CustomerID: "c1", Kind: domain.FactDevice, Source: "mdm", ExternalID: "IMEI-1", Version: 5, At: now})
	cmd := domain.RecordBusinessFact{CustomerID: "c1", Kind: domain.FactDevice, Source: "mdm", ExternalID: "IMEI-1"}
	for v, want := range map[int64]domain.FactOutcome{4: domain.FactStale, 5: domain.FactUnchanged, 6: domain.FactRecorded} {
		cmd.Version = v
		eq(t, "outcome of version", domain.ClassifyFact(c, cmd), want)
	}
	// An older event folded after a newer one (two systems' clocks) leaves the newer version.
	c = domain.EvolveBusinessContext(c, domain.BusinessFactRecorded{CustomerID: "c1", Kind: domain.FactDevice, Source: "mdm", ExternalID: "IMEI-1", Version: 2})
	eq(t, "version after an older event", c.VersionOf(cmd.Key()), int64(5))
}

func TestBusinessContextStream(t *testing.T) {
	s := domain.BusinessContextStream("c1")
	cat, id := domain.StreamCategory(s)
	eq(t, "category", cat, domain.CategoryBusinessContext)
	eq(t, "id", id, "c1")
	folded, err := domain.FoldStream(s, events(domain.BusinessFactRecorded{CustomerID: "c1", Kind: domain.FactPlan, Source: "crm", ExternalID: "P", Version: 2}))
	if err != nil || folded.(domain.BusinessContext).VersionOf(domain.FactKey{Kind: domain.FactPlan, Source: "crm", ExternalID: "P"}) != 2 {
		t.Errorf("FoldStream(%s) = %#v, %v", s, folded, err)
	}
}

func TestBusinessFactAttributesAreSealed(t *testing.T) {
	e := domain.BusinessFactRecorded{CustomerID: "c1", Kind: domain.FactPlan, Source: "crm", ExternalID: "P", Version: 1,
		Tier: domain.TierVIP, Attributes: map[string]string{"name": "Gold", "price": "9"}}
	got := domain.MapPersonal(e, func(field, v string) string { return field + ":" + v }).(domain.BusinessFactRecorded)
	deepEq(t, "attributes", got.Attributes, map[string]string{"name": "attribute:Gold", "price": "attribute:9"})
	eq(t, "tier", got.Tier, domain.TierVIP)
	eq(t, "external id", got.ExternalID, "P")
	eq(t, "original untouched", e.Attributes["name"], "Gold")
}

func TestParsePlanTiers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want domain.PlanTiers
		bad  bool
	}{
		{in: "", want: domain.PlanTiers{}},
		{in: "UNL-FAMILY=vip, PREM = Gold", want: domain.PlanTiers{"UNL-FAMILY": domain.TierVIP, "PREM": domain.TierGold}},
		{in: "UNL-FAMILY=VIP,", want: domain.PlanTiers{"UNL-FAMILY": domain.TierVIP}},
		{in: "UNL-FAMILY", bad: true},
		{in: "=VIP", bad: true},
		{in: "X=PLATINUM", bad: true},
		{in: "X=VIP,X=GOLD", bad: true},
	} {
		got, err := domain.ParsePlanTiers(c.in)
		if c.bad {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("ParsePlanTiers(%q) = %v, %v; want EINVALID", c.in, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePlanTiers(%q): %v", c.in, err)
		}
		deepEq(t, "ParsePlanTiers("+c.in+")", got, c.want)
	}
}

func TestPlanTiersTierOf(t *testing.T) {
	m := domain.PlanTiers{"UNL": domain.TierVIP}
	plan := domain.RecordBusinessFact{Kind: domain.FactPlan, Attributes: map[string]string{"planCode": "UNL"}}
	eq(t, "mapped", m.TierOf(plan), domain.TierVIP)
	plan.Tier = domain.TierSilver
	eq(t, "the fact's own tier first", m.TierOf(plan), domain.TierSilver)
	order := domain.RecordBusinessFact{Kind: domain.FactOrder, Attributes: map[string]string{"planCode": "UNL"}}
	eq(t, "not a plan", m.TierOf(order), domain.Tier(""))
	eq(t, "unknown code", m.TierOf(domain.RecordBusinessFact{Kind: domain.FactPlan, Attributes: map[string]string{"planCode": "X"}}), domain.Tier(""))
	eq(t, "no mapping", domain.PlanTiers(nil).TierOf(domain.RecordBusinessFact{Kind: domain.FactPlan}), domain.Tier(""))
}
