package commands_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
)

func orderFact(version int64, total string) domain.RecordBusinessFact {
	return domain.RecordBusinessFact{Kind: domain.FactOrder, Source: "shop", ExternalID: "SO-77", Version: version,
		Attributes: map[string]string{"total": total, "status": "PAID"}}
}

func TestRecordBusinessFactIsIdempotentByVersion(t *testing.T) {
	h, store := newHandler(t)
	ctx := t.Context()
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}
	meta := commands.Meta{Actor: "integration:crm"}

	first, err := h.RecordBusinessFact(ctx, phone, orderFact(1, "10.00"), meta)
	if err != nil {
		t.Fatal(err)
	}
	if !first.CustomerCreated || first.Outcome != domain.FactRecorded || first.Position == 0 || first.Version != 1 {
		t.Fatalf("first fact: %+v", first)
	}
	again, err := h.RecordBusinessFact(ctx, phone, orderFact(1, "10.00"), commands.Meta{Actor: "integration:crm", IdempotencyKey: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Outcome != domain.FactUnchanged || again.Position != first.Position || again.CustomerID != first.CustomerID || again.CustomerCreated {
		t.Fatalf("same version again: %+v, first %+v", again, first)
	}
	newer, err := h.RecordBusinessFact(ctx, phone, orderFact(3, "12.00"), meta)
	if err != nil {
		t.Fatal(err)
	}
	if newer.Outcome != domain.FactRecorded || newer.Position <= first.Position || newer.Version != 3 {
		t.Fatalf("newer version: %+v", newer)
	}
	stale, err := h.RecordBusinessFact(ctx, phone, orderFact(2, "11.00"), meta)
	if err != nil {
		t.Fatalf("a stale version is no error: %v", err)
	}
	if stale.Outcome != domain.FactStale || stale.Version != 3 || stale.Position != 0 {
		t.Fatalf("stale version: %+v", stale)
	}
	if resent, err := h.RecordBusinessFact(ctx, phone, orderFact(1, "10.00"), meta); err != nil || resent.Outcome != domain.FactStale || resent.Version != 3 {
		t.Fatalf("version 1, recorded once, sent after version 3: %+v, %v; want stale", resent, err)
	}
	_, events := allEvents(t, store)
	var facts []domain.BusinessFactRecorded
	for _, e := range events {
		if f, ok := e.(domain.BusinessFactRecorded); ok {
			facts = append(facts, f)
		}
	}
	if len(facts) != 2 || facts[0].Version != 1 || facts[1].Version != 3 || facts[1].PreviousVersion != 1 || facts[1].Attributes["total"] != "12.00" {
		t.Fatalf("facts recorded: %+v", facts)
	}
	if facts[0].CustomerID != first.CustomerID || countType[domain.CustomerRegistered](events) != 1 {
		t.Errorf("customer %s, %d registrations", facts[0].CustomerID, countType[domain.CustomerRegistered](events))
	}
}

func TestRecordBusinessFactForAKnownCustomer(t *testing.T) {
	h, _ := newHandler(t)
	ctx := t.Context()
	in, err := h.ReceiveInbound(ctx, commandstest.Inbound(domain.ChannelEmail, domain.IdentityEmail, "li@example.com", "m1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.RecordBusinessFact(ctx, domain.Identity{Kind: domain.IdentityEmail, Value: " LI@Example.com"},
		domain.RecordBusinessFact{Kind: domain.FactPlan, Source: "crm", ExternalID: "PL-1", Version: 1, Tier: domain.TierVIP}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if res.CustomerID != in.CustomerID || res.CustomerCreated {
		t.Fatalf("fact went to %+v, want customer %s", res, in.CustomerID)
	}
}

func TestRecordBusinessFactRefusesInvalidBeforeRegistering(t *testing.T) {
	h, store := newHandler(t)
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138001"}
	bad := orderFact(0, "1")
	if _, err := h.RecordBusinessFact(t.Context(), phone, bad, commands.Meta{}); !isCode(err, domain.EINVALID) || !strings.Contains(err.Error(), "version") {
		t.Fatalf("version 0: %v, want EINVALID about the version", err)
	}
	if _, err := h.RecordBusinessFact(t.Context(), domain.Identity{Kind: domain.IdentityPhone, Value: "not a phone"}, orderFact(1, "1"), commands.Meta{}); !isCode(err, domain.EINVALID) {
		t.Fatalf("bad identity: %v, want EINVALID", err)
	}
	if _, events := allEvents(t, store); len(events) != 0 {
		t.Fatalf("refused facts wrote %v", events)
	}
}

func TestRecordBusinessFactConcurrentRetries(t *testing.T) {
	h, store := newHandler(t)
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138002"}
	const n = 8
	results := make([]commands.FactResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = h.RecordBusinessFact(t.Context(), phone, orderFact(4, "40.00"), commands.Meta{})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if results[i].Position != results[0].Position || results[i].CustomerID != results[0].CustomerID || results[i].Outcome == domain.FactStale {
			t.Errorf("request %d: %+v, request 0: %+v", i, results[i], results[0])
		}
	}
	_, events := allEvents(t, store)
	if got := countType[domain.BusinessFactRecorded](events); got != 1 {
		t.Errorf("%d facts recorded by %d concurrent deliveries, want 1", got, n)
	}
	if got := countType[domain.CustomerRegistered](events); got != 1 {
		t.Errorf("%d customers registered, want 1", got)
	}
}

func TestBusinessFactAttributesAreSealedAndErased(t *testing.T) {
	h, store, raw := commandstest.NewEncryptedHandler(t)
	ctx := t.Context()
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138003"}
	const model = "Pixel 9 Pro 4471"
	fact := domain.RecordBusinessFact{Kind: domain.FactDevice, Source: "mdm", ExternalID: "IMEI-35", Version: 1,
		Attributes: map[string]string{"model": model}}
	res, err := h.RecordBusinessFact(ctx, phone, fact, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	read := func(s string) domain.BusinessFactRecorded {
		t.Helper()
		_, events := commandstest.AllEvents(t, store)
		for _, e := range events {
			if f, ok := e.(domain.BusinessFactRecorded); ok {
				return f
			}
		}
		t.Fatalf("%s: no fact read back", s)
		return domain.BusinessFactRecorded{}
	}
	recs, _ := commandstest.AllEvents(t, raw)
	for _, r := range recs {
		if strings.Contains(string(r.Data), model) {
			t.Fatalf("%s stores the attribute in clear: %s", r.Stream, r.Data)
		}
	}
	if got := read("before"); got.Attributes["model"] != model || got.ExternalID != "IMEI-35" {
		t.Fatalf("read back %+v", got)
	}
	if _, err := h.EraseCustomer(ctx, res.CustomerID, "request 9", commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if got := read("after"); got.Attributes["model"] != domain.ErasedText || got.ExternalID != "IMEI-35" || got.Version != 1 {
		t.Fatalf("after the erasure the fact reads %+v", got)
	}
}

func TestRecordBusinessFactMapsPlanCodesToTiers(t *testing.T) {
	store := commandstest.NewStore(t)
	h := commands.NewHandler(store, commands.WithPlanTiers(domain.PlanTiers{"UNL-FAMILY": domain.TierVIP}))
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138004"}
	plan := func(id, code string, tier domain.Tier) domain.RecordBusinessFact {
		return domain.RecordBusinessFact{Kind: domain.FactPlan, Source: "crm", ExternalID: id, Version: 1, Tier: tier,
			Attributes: map[string]string{"planCode": code}}
	}
	for _, f := range []domain.RecordBusinessFact{plan("P1", "UNL-FAMILY", ""), plan("P2", "UNL-FAMILY", domain.TierSilver), plan("P3", "BASIC", "")} {
		if _, err := h.RecordBusinessFact(t.Context(), phone, f, commands.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	_, events := allEvents(t, store)
	tiers := map[string]domain.Tier{}
	for _, e := range events {
		if f, ok := e.(domain.BusinessFactRecorded); ok {
			tiers[f.ExternalID] = f.Tier
		}
	}
	want := map[string]domain.Tier{"P1": domain.TierVIP, "P2": domain.TierSilver, "P3": ""}
	if len(tiers) != 3 || tiers["P1"] != want["P1"] || tiers["P2"] != want["P2"] || tiers["P3"] != want["P3"] {
		t.Errorf("recorded tiers %v, want %v (mapped, the plan's own, none)", tiers, want)
	}
}
