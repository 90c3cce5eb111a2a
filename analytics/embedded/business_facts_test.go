package embedded_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// TestBusinessFactsReport: the business_facts report counts each fact's
// current version once, by kind and plan tier, with the customers holding
// them, and the analytics file keeps neither attributes nor external ids.
func TestBusinessFactsReport(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	at := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	h := commands.NewHandler(store, commands.WithClock(func() time.Time { return at }))
	record := func(phone string, kind domain.FactKind, id string, version int64, tier domain.Tier) {
		t.Helper()
		_, err := h.RecordBusinessFact(ctx, domain.Identity{Kind: domain.IdentityPhone, Value: phone},
			domain.RecordBusinessFact{Kind: kind, Source: "crm", ExternalID: id, Version: version, Tier: tier,
				Attributes: map[string]string{"planName": "Secret Family Plan " + id}}, commands.Meta{})
		if err != nil {
			t.Fatal(err)
		}
	}
	record("+8613800000001", domain.FactPlan, "PL-SECRET-1", 1, domain.TierVIP)
	record("+8613800000002", domain.FactPlan, "PL-SECRET-2", 1, domain.TierVIP)
	record("+8613800000003", domain.FactPlan, "PL-SECRET-3", 1, domain.TierStandard)
	path := filepath.Join(t.TempDir(), embedded.FileName)
	b, err := embedded.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := analytics.NewSink(store, b, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// A downgrade of one VIP plan and two orders, synced in small batches.
	record("+8613800000002", domain.FactPlan, "PL-SECRET-2", 2, domain.TierGold)
	record("+8613800000001", domain.FactOrder, "SO-SECRET-1", 1, "")
	record("+8613800000001", domain.FactOrder, "SO-SECRET-2", 1, "")
	if err := analytics.NewSink(store, b, analyticstest.Key, analytics.WithBatchEvents(2)).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	tab, err := analytics.NewReporter(b).Report(ctx, analytics.Request{Name: "business_facts", From: at.Add(-time.Hour), To: at.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range tab.Rows {
		got[fmt.Sprint(r[0], "/", r[1])] = fmt.Sprint(r[2], " facts, ", r[3], " customers")
	}
	want := map[string]string{
		"PLAN/VIP": "1 facts, 1 customers", "PLAN/GOLD": "1 facts, 1 customers", "PLAN/STANDARD": "1 facts, 1 customers",
		"ORDER/": "2 facts, 1 customers",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("business_facts by kind and tier = %v, want %v\n%s", got, want, analyticstest.Canonical(tab))
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(path + "*")
	if len(matches) == 0 {
		t.Fatalf("no analytics file at %s", path)
	}
	for _, f := range matches {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"SECRET", "Secret Family Plan"} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("%s holds %q", f, secret)
			}
		}
	}
}
