package graphql

import (
	"fmt"
	"slices"
	"testing"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

const recordFact = `mutation($in: BusinessFactInput!) { recordBusinessFact(input: $in) {
	customerId customerCreated outcome version position } }`

type factPayload struct {
	RecordBusinessFact struct {
		CustomerID      string
		CustomerCreated bool
		Outcome         string
		Version         int64
		Position        int64
	}
}

func factInput(kind, id string, version int, attrs map[string]string, extra map[string]any) map[string]any {
	var list []map[string]string
	for k, v := range attrs {
		list = append(list, map[string]string{"name": k, "value": v})
	}
	in := map[string]any{"identityKind": "PHONE", "identityValue": seedPhone, "kind": kind, "source": "crm",
		"externalId": id, "version": version, "attributes": list}
	for k, v := range extra {
		in[k] = v
	}
	return map[string]any{"in": in}
}

// TestBusinessContextThroughTheAPI is the context test of #18 through the
// API: an order recorded twice with the same external id and version is
// stored once, a newer version replaces it, and the 360 shows the current
// plan; the integration role records and reads nothing.
func TestBusinessContextThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	crm := e.token(auth.RoleIntegration, "crm")
	record := func(vars map[string]any) factPayload {
		t.Helper()
		var p factPayload
		e.post(crm, recordFact, vars).ok(t).decode(t, &p)
		return p
	}
	first := record(factInput("ORDER", "SO-1", 1, map[string]string{"total": "99.00", "status": "PAID"}, nil)).RecordBusinessFact
	if first.CustomerID != f.customerID || first.CustomerCreated || first.Outcome != "RECORDED" || first.Position == 0 {
		t.Fatalf("first order: %+v, want recorded for %s", first, f.customerID)
	}
	again := record(factInput("ORDER", "SO-1", 1, map[string]string{"total": "99.00", "status": "PAID"}, nil)).RecordBusinessFact
	if again.Outcome != "UNCHANGED" || again.Position != first.Position {
		t.Fatalf("same order again: %+v, want UNCHANGED at %d", again, first.Position)
	}
	newer := record(factInput("ORDER", "SO-1", 2, map[string]string{"total": "89.00", "status": "REFUNDED"}, nil)).RecordBusinessFact
	if newer.Outcome != "RECORDED" || newer.Version != 2 || newer.Position <= first.Position {
		t.Fatalf("newer order: %+v", newer)
	}
	if stale := record(factInput("ORDER", "SO-1", 1, nil, nil)).RecordBusinessFact; stale.Outcome != "STALE" || stale.Version != 2 {
		t.Fatalf("older order: %+v, want STALE with version 2", stale)
	}
	record(factInput("PLAN", "PL-9", 3, map[string]string{"planName": "Unlimited 5G"}, map[string]any{"tier": "VIP", "effectiveAt": "2025-01-01T00:00:00Z"}))
	e.settle()

	const query = `query($id: ID!) { customer(id: $id) { businessContext {
		plans { kind source externalId version tier effectiveAt attributes { name value } }
		recentOrders { externalId version attributes { name value } } devices { externalId } contracts { externalId } } } }`
	type factView struct {
		Kind, Source string
		ExternalID   string `json:"externalId"`
		Version      int64
		Tier         *string
		EffectiveAt  *string
		Attributes   []struct{ Name, Value string }
	}
	var got struct {
		Customer struct {
			BusinessContext struct {
				Plans, RecentOrders, Devices, Contracts []factView
			}
		}
	}
	agent := e.token(auth.RoleAgent, f.agentID)
	e.post(agent, query, map[string]any{"id": f.customerID}).ok(t).decode(t, &got)
	bc := got.Customer.BusinessContext
	if len(bc.Plans) != 1 || bc.Plans[0].Tier == nil || *bc.Plans[0].Tier != "VIP" || bc.Plans[0].Version != 3 ||
		len(bc.Plans[0].Attributes) != 1 || bc.Plans[0].Attributes[0].Value != "Unlimited 5G" || bc.Plans[0].EffectiveAt == nil {
		t.Errorf("plans = %+v, want the VIP plan", bc.Plans)
	}
	if len(bc.RecentOrders) != 1 || bc.RecentOrders[0].Version != 2 || !slices.Contains(bc.RecentOrders[0].Attributes, struct{ Name, Value string }{"status", "REFUNDED"}) {
		t.Errorf("orders = %+v, want SO-1 once, in version 2", bc.RecentOrders)
	}
	if len(bc.Devices) != 0 || len(bc.Contracts) != 0 {
		t.Errorf("devices %v, contracts %v, want none", bc.Devices, bc.Contracts)
	}

	// Analysts see the facts with their values masked.
	e.post(e.token(auth.RoleAnalyst, "ana"), query, map[string]any{"id": f.customerID}).ok(t).decode(t, &got)
	if a := got.Customer.BusinessContext.Plans[0].Attributes[0]; a.Name != "planName" || a.Value != auth.MaskedText {
		t.Errorf("analyst sees %+v, want the value masked", a)
	}

	var me struct {
		Me struct {
			Role       string
			Operations []string
		}
	}
	e.post(crm, `{ me { role operations } }`, nil).ok(t).decode(t, &me)
	if me.Me.Role != "INTEGRATION" || fmt.Sprint(me.Me.Operations) != "[recordFacts]" {
		t.Errorf("me = %+v, want the integration role with recordFacts only", me.Me)
	}

	// The integration role reads nothing, and others record nothing.
	if r := e.post(crm, query, map[string]any{"id": f.customerID}); !slices.Contains(r.codes(), apierror.CodeForbidden) {
		t.Errorf("integration reading a customer: %+v, want FORBIDDEN", r.Errors)
	}
	if r := e.post(agent, recordFact, factInput("ORDER", "SO-2", 1, nil, nil)); !slices.Contains(r.codes(), apierror.CodeForbidden) {
		t.Errorf("agent recording a fact: %+v, want FORBIDDEN", r.Errors)
	}
	if r := e.post(crm, recordFact, factInput("ORDER", "SO-3", 0, nil, nil)); len(r.Errors) == 0 || r.Errors[0].Extensions.Code != apierror.CodeBadUserInput {
		t.Errorf("version 0: %+v, want BAD_INPUT", r.Errors)
	}
	dup := factInput("ORDER", "SO-4", 1, nil, nil)
	dup["in"].(map[string]any)["attributes"] = []map[string]string{{"name": "a", "value": "1"}, {"name": "a", "value": "2"}}
	if r := e.post(crm, recordFact, dup); len(r.Errors) == 0 || r.Errors[0].Extensions.Code != apierror.CodeBadUserInput {
		t.Errorf("an attribute twice: %+v, want BAD_INPUT", r.Errors)
	}
}
