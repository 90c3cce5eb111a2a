package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAccessLogAndSubjectExport: a read through the API shows in `ledger
// access-log` and in the customer's own export.
func TestAccessLogAndSubjectExport(t *testing.T) {
	h := startAPI(t)
	f := h.seed("a-7")
	h.post(h.token("agent", "a-7"), `query ScreenPop($c: ID!) { customer(id: $c) { displayName } }`, map[string]any{"c": f.customerID}).ok(t)
	var out string
	eventually(t, "the read in the access log", func() bool {
		h.settle()
		var err error
		out, err = ledger(t, "access-log", "--data", h.dir, "--customer", f.customerID)
		return err == nil && strings.Contains(out, `"operation":"ScreenPop"`)
	})
	if !strings.Contains(out, `"subject":"a-7"`) || !strings.Contains(out, `"fields":["displayName"]`) {
		t.Fatalf("access-log:\n%s", out)
	}
	export, err := ledger(t, "export-subject", "--data", h.dir, "--customer", f.customerID)
	if err != nil {
		t.Fatalf("export-subject: %v\n%s", err, export)
	}
	var got struct {
		Customer     struct{ ID, DisplayName string }
		Interactions []struct{ Messages []struct{ Text string } }
		Tickets      []struct{ Subject string }
		AccessLog    []struct{ Subject, Operation string }
	}
	if err := json.Unmarshal([]byte(export), &got); err != nil {
		t.Fatal(err)
	}
	if got.Customer.ID != f.customerID || got.Customer.DisplayName != fixtureName || len(got.Interactions) != 1 ||
		len(got.Interactions[0].Messages) != 1 || got.Interactions[0].Messages[0].Text != fixtureText ||
		len(got.Tickets) != 1 || got.Tickets[0].Subject != "Refund please" || len(got.AccessLog) == 0 || got.AccessLog[0].Operation != "ScreenPop" {
		t.Fatalf("export-subject: %+v", got)
	}
}
