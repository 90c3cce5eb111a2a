package graphql

import (
	"slices"
	"testing"

	"github.com/interactionledger/ledger/graphql/auth"
)

// TestKnowledgeThroughTheAPI: a supervisor drafts and publishes a reply
// template, an agent finds it by the words of a customer's message (and
// may not author one), a revision replaces it, and once retired it is
// found no more.
func TestKnowledgeThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	supervisor, agent := e.token(auth.RoleSupervisor, "s-1"), e.token(auth.RoleAgent, "a-1")
	var drafted struct {
		DraftKnowledge struct {
			ID            string
			Status        string
			LatestVersion int
			LiveVersion   *int
		}
	}
	const draft = `mutation($id: ID, $body: String!, $key: String) { draftKnowledge(id: $id, kind: TEMPLATE, title: "订单延迟", body: $body, language: "zh",
		category: "delivery", channels: [WECHAT], idempotencyKey: $key) { id status latestVersion liveVersion } }`
	first := map[string]any{"body": "{{customer.displayName}}您好，您的订单因物流原因延迟。", "key": "kb-delay"}
	e.post(supervisor, draft, first).ok(t).decode(t, &drafted)
	var retried struct{ DraftKnowledge struct{ ID string } }
	e.post(supervisor, draft, first).ok(t).decode(t, &retried)
	if retried.DraftKnowledge.ID != drafted.DraftKnowledge.ID {
		t.Fatalf("a retried creation made item %s, then %s", drafted.DraftKnowledge.ID, retried.DraftKnowledge.ID)
	}
	item := drafted.DraftKnowledge
	if item.ID == "" || item.Status != "DRAFT" || item.LatestVersion != 1 || item.LiveVersion != nil {
		t.Fatalf("drafted %+v", item)
	}
	if codes := e.post(agent, draft, map[string]any{"body": "x"}).codes(); !slices.Equal(codes, []string{"FORBIDDEN"}) {
		t.Fatalf("an agent drafting: %v, want FORBIDDEN", codes)
	}
	if codes := e.post(supervisor, `mutation { draftKnowledge(kind: TEMPLATE, title: "t", body: "Hi {{customer.email}}", language: "en") { id } }`, nil).codes(); !slices.Equal(codes, []string{"BAD_USER_INPUT"}) {
		t.Fatalf("an unknown variable: %v, want BAD_USER_INPUT", codes)
	}

	search := func(text string) []string {
		t.Helper()
		e.settle()
		var found struct {
			SearchKnowledge []struct {
				ID      string
				Version int
				Snippet string
			}
		}
		e.post(agent, `query($t: String!) { searchKnowledge(text: $t, channel: WECHAT, first: 5) { id version snippet } }`, map[string]any{"t": text}).ok(t).decode(t, &found)
		var ids []string
		for _, h := range found.SearchKnowledge {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if got := search("我的订单延迟了"); got != nil {
		t.Fatalf("a draft is found: %v", got)
	}
	publish := `mutation($id: ID!) { publishKnowledge(id: $id) { status liveVersion } }`
	e.post(supervisor, publish, map[string]any{"id": item.ID}).ok(t)
	if got := search("我的订单延迟了"); !slices.Equal(got, []string{item.ID}) {
		t.Fatalf("the published template: found %v", got)
	}
	e.post(supervisor, draft, map[string]any{"id": item.ID, "body": "{{customer.displayName}}您好，仓库发货延误，已加急处理。"}).ok(t)
	var republished struct{ PublishKnowledge struct{ Status string } }
	e.post(supervisor, publish, map[string]any{"id": item.ID}).ok(t).decode(t, &republished)
	if republished.PublishKnowledge.Status != "REVISED" {
		t.Fatalf("after the revision: %+v", republished)
	}
	if got := search("加急"); !slices.Equal(got, []string{item.ID}) {
		t.Fatalf("the revision: found %v", got)
	}
	e.post(supervisor, `mutation($id: ID!) { retireKnowledge(id: $id, reason: "carrier changed") { status } }`, map[string]any{"id": item.ID}).ok(t)
	if got := search("加急"); got != nil {
		t.Fatalf("a retired template is found: %v", got)
	}

	// Its versions stay readable in the audit trail, both wordings.
	var trail struct {
		AuditTrail struct {
			State  map[string]any
			Events struct {
				Nodes []struct {
					Type string
					Data map[string]any
				}
			}
		}
	}
	e.post(e.token(auth.RoleAuditor, "au-1"), `query($s: String!) { auditTrail(stream: $s) { state events { nodes { type data } } } }`,
		map[string]any{"s": "knowledge-" + item.ID}).ok(t).decode(t, &trail)
	var bodies, types []string
	for _, n := range trail.AuditTrail.Events.Nodes {
		types = append(types, n.Type)
		if c, ok := n.Data["content"].(map[string]any); ok {
			bodies = append(bodies, c["body"].(string))
		}
	}
	if !slices.Equal(types, []string{"KnowledgeDrafted", "KnowledgePublished", "KnowledgeDrafted", "KnowledgePublished", "KnowledgeRetired"}) ||
		len(bodies) != 2 || bodies[0] != first["body"] || trail.AuditTrail.State["Retired"] != true {
		t.Fatalf("the retired item's audit trail: %v %q %v", types, bodies, trail.AuditTrail.State)
	}
}
