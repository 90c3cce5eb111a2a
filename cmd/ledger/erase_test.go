package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

// TestEraseCommand: `ledger erase` on a stopped demo ledger erases a
// customer, brings the read models up to date at once, and leaves a
// ledger that verifies; a ledger kept in clear, a missing reason and a
// running server are refused with what to do instead.
func TestEraseCommand(t *testing.T) {
	dir := demoLedger(t)
	if _, err := ledger(t, "projections", "rebuild", "--data", dir, "--quiet"); err != nil {
		t.Fatal(err)
	}
	store, err := openExistingSealed(t.Context(), keySource{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	customer := strings.TrimPrefix(firstStream(t, store, "customer-"), "customer-")
	store.Close()
	before := mustLedger(t, "export-subject", "--data", dir, "--customer", customer)
	if strings.Contains(before, domain.ErasedText) {
		t.Fatalf("the customer reads erased before the erasure:\n%s", before)
	}
	// The demo gave every customer a plan from the CRM: its attributes
	// are in the export, and erased with the customer.
	if !strings.Contains(before, `"planName": "`) {
		t.Fatalf("the export holds no plan:\n%s", before)
	}
	if out, err := ledger(t, "erase", "--data", dir, "--customer", customer); exitCode(err) != 2 {
		t.Fatalf("erase without a reason exited %d: %v\n%s", exitCode(err), err, out)
	}
	if out, err := ledger(t, "erase", "--data", dir, "--customer", customer, "--reason", "DSR-3", "--by", "dpo"); err != nil || !strings.Contains(out, customer) {
		t.Fatalf("erase: %v\n%s", err, out)
	}
	after := mustLedger(t, "export-subject", "--data", dir, "--customer", customer)
	if !strings.Contains(after, `"DisplayName": "`+domain.ErasedText+`"`) {
		t.Fatalf("the read models were not brought up to date by erase:\n%s", after)
	}
	var erased struct{ BusinessContext projections.BusinessContext }
	if err := json.Unmarshal([]byte(after), &erased); err != nil {
		t.Fatal(err)
	}
	if len(erased.BusinessContext.Plans) == 0 {
		t.Fatalf("no plan in the export after the erasure:\n%s", after)
	}
	for _, p := range erased.BusinessContext.Plans {
		for name, v := range p.Attributes {
			if v != domain.ErasedText {
				t.Errorf("after the erasure plan %s reads %s = %q", p.ExternalID, name, v)
			}
		}
	}
	if out, err := ledger(t, "verify", "--data", dir); err != nil {
		t.Fatalf("verify after erase: %v\n%s", err, out)
	}

	clear := t.TempDir()
	if out, err := ledger(t, "demo", "--data", clear, "--encrypt=false", "--customers", "3", "--interactions", "3", "--quiet"); err != nil {
		t.Fatalf("demo in clear: %v\n%s", err, out)
	}
	store, err = openExistingSealed(t.Context(), keySource{dir: clear})
	if err != nil {
		t.Fatal(err)
	}
	customer = strings.TrimPrefix(firstStream(t, store, "customer-"), "customer-")
	store.Close()
	if out, err := ledger(t, "erase", "--data", clear, "--customer", customer, "--reason", "DSR-4"); err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("erase on a ledger in clear: %v, want an error that says to migrate\n%s", err, out)
	}

	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.shutdown(5e9) }()
	if _, err := ledger(t, "erase", "--data", dir, "--customer", customer, "--reason", "DSR-5"); err == nil || !strings.Contains(err.Error(), "eraseCustomer") {
		t.Fatalf("erase beside a running server: %v, want an error naming the mutation", err)
	}
}
