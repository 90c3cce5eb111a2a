package graphql

import (
	"fmt"
	"slices"
	"testing"

	"github.com/interactionledger/ledger/graphql/auth"
)

// TestKnowledgeItemsForAuthors: the authors' list shows drafts, live and
// retired items, newest change first, filtered and paged; knowledgeItem
// shows every version, kept after retirement; other roles may not read
// either.
func TestKnowledgeItemsForAuthors(t *testing.T) {
	e := newEnv(t)
	supervisor, admin := e.token(auth.RoleSupervisor, "s-1"), e.token(auth.RoleAdmin, "root")
	draft := func(id, kind, title, body string) string {
		t.Helper()
		var d struct{ DraftKnowledge struct{ ID string } }
		vars := map[string]any{"title": title, "body": body}
		if kind != "" {
			vars["kind"] = kind
		}
		if id != "" {
			vars["id"] = id
		}
		e.post(supervisor, `mutation($id: ID, $kind: KnowledgeKind, $title: String!, $body: String!) {
			draftKnowledge(id: $id, kind: $kind, title: $title, body: $body, language: "zh", category: "delivery") { id } }`, vars).ok(t).decode(t, &d)
		return d.DraftKnowledge.ID
	}
	publish := func(id string, version int) {
		t.Helper()
		vars := map[string]any{"id": id}
		if version > 0 {
			vars["v"] = version
		}
		e.post(supervisor, `mutation($id: ID!, $v: Int) { publishKnowledge(id: $id, version: $v) { status } }`, vars).ok(t)
	}
	article := draft("", "ARTICLE", "退款流程", "# 退款\n\n七天内可退。")
	template := draft("", "TEMPLATE", "订单延迟致歉", "{{customer.displayName}}您好，订单延迟了。")
	publish(template, 0)
	draft(template, "", "订单延迟致歉（新）", "{{customer.displayName}}您好，仓库已加急。")
	retired := draft("", "TEMPLATE", "旧的运费说明", "运费已调整。")
	publish(retired, 0)
	draft(retired, "", "旧的运费说明 v2", "运费再次调整。")
	publish(retired, 2)
	e.post(supervisor, `mutation($id: ID!) { retireKnowledge(id: $id, reason: "运费政策已变") { status } }`, map[string]any{"id": retired}).ok(t)
	e.settle()

	type listItem struct {
		ID            string
		Kind          string
		Status        string
		LiveVersion   *int
		LatestVersion int
		Title         string
		Language      string
		Category      string
		UpdatedAt     string
	}
	type page struct {
		KnowledgeItems struct {
			Nodes    []listItem
			PageInfo struct {
				EndCursor   *string
				HasNextPage bool
			}
		}
	}
	const list = `query($kind: KnowledgeKind, $status: KnowledgeStatus, $text: String, $first: Int, $after: String) {
		knowledgeItems(kind: $kind, status: $status, text: $text, first: $first, after: $after) {
			nodes { id kind status liveVersion latestVersion title language category updatedAt } pageInfo { endCursor hasNextPage } } }`
	ids := func(p page) []string {
		var out []string
		for _, n := range p.KnowledgeItems.Nodes {
			out = append(out, n.ID)
		}
		return out
	}
	var all page
	e.post(admin, list, nil).ok(t).decode(t, &all)
	if got, want := ids(all), []string{retired, template, article}; !slices.Equal(got, want) {
		t.Fatalf("the list: %v, want %v (newest change first)", got, want)
	}
	byID := map[string]listItem{}
	for _, n := range all.KnowledgeItems.Nodes {
		byID[n.ID] = n
	}
	if a := byID[article]; a.Status != "DRAFT" || a.LiveVersion != nil || a.LatestVersion != 1 || a.Kind != "ARTICLE" || a.Language != "zh" || a.Category != "delivery" || a.UpdatedAt == "" {
		t.Errorf("the draft article: %+v", a)
	}
	if tp := byID[template]; tp.Status != "PUBLISHED" || tp.LiveVersion == nil || *tp.LiveVersion != 1 || tp.LatestVersion != 2 || tp.Title != "订单延迟致歉（新）" {
		t.Errorf("the template with a pending revision: %+v", tp)
	}
	if r := byID[retired]; r.Status != "RETIRED" || r.LiveVersion != nil || r.LatestVersion != 2 {
		t.Errorf("the retired template: %+v", r)
	}

	filtered := func(vars map[string]any) []string {
		t.Helper()
		var p page
		e.post(supervisor, list, vars).ok(t).decode(t, &p)
		return ids(p)
	}
	for _, c := range []struct {
		vars map[string]any
		want []string
	}{
		{map[string]any{"kind": "TEMPLATE"}, []string{retired, template}},
		{map[string]any{"kind": "ARTICLE"}, []string{article}},
		{map[string]any{"status": "DRAFT"}, []string{article}},
		{map[string]any{"status": "RETIRED"}, []string{retired}},
		{map[string]any{"status": "PUBLISHED", "kind": "TEMPLATE"}, []string{template}},
		{map[string]any{"text": "延迟"}, []string{template}},
		{map[string]any{"text": "%"}, nil},
	} {
		if got := filtered(c.vars); !slices.Equal(got, c.want) {
			t.Errorf("filter %v: %v, want %v", c.vars, got, c.want)
		}
	}

	// Two by two: the pages add up to the list.
	var seen []string
	var after any
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("the pages do not end")
		}
		var p page
		e.post(supervisor, list, map[string]any{"first": 2, "after": after}).ok(t).decode(t, &p)
		seen = append(seen, ids(p)...)
		if !p.KnowledgeItems.PageInfo.HasNextPage {
			break
		}
		after = *p.KnowledgeItems.PageInfo.EndCursor
	}
	if !slices.Equal(seen, ids(all)) {
		t.Errorf("paged: %v, want %v", seen, ids(all))
	}
	if codes := e.post(supervisor, list, map[string]any{"after": "bm90LWEtY3Vyc29y"}).codes(); !slices.Equal(codes, []string{"BAD_USER_INPUT"}) {
		t.Errorf("a foreign cursor: %v", codes)
	}

	// The retired item keeps every version.
	var one struct {
		KnowledgeItem *struct {
			ID, Kind, Status string
			LiveVersion      *int
			LatestVersion    int
			PendingRevision  *int
			RetiredAt        *string
			RetireReason     *string
			Versions         []struct {
				Version     int
				Title, Body string
				Language    string
				Category    string
				Tags        []string
				Channels    []string
				DraftedBy   string
				DraftedAt   string
				PublishedAt *string
			}
		}
	}
	const item = `query($id: ID!) { knowledgeItem(id: $id) { id kind status liveVersion latestVersion pendingRevision retiredAt retireReason
		versions { version title body language category businessDomain tags channels draftedBy draftedAt publishedAt } } }`
	e.post(supervisor, item, map[string]any{"id": retired}).ok(t).decode(t, &one)
	r := one.KnowledgeItem
	if r == nil || r.Status != "RETIRED" || r.LiveVersion != nil || r.LatestVersion != 2 || r.PendingRevision != nil ||
		r.RetiredAt == nil || r.RetireReason == nil || *r.RetireReason != "运费政策已变" || len(r.Versions) != 2 {
		t.Fatalf("the retired item: %+v", r)
	}
	if v := r.Versions[0]; v.Version != 2 || v.Title != "旧的运费说明 v2" || v.PublishedAt == nil || v.DraftedBy == "" || v.DraftedAt == "" {
		t.Errorf("its newest version: %+v", v)
	}
	if v := r.Versions[1]; v.Version != 1 || v.Body != "运费已调整。" || v.PublishedAt == nil {
		t.Errorf("its first version: %+v", v)
	}
	e.post(supervisor, item, map[string]any{"id": template}).ok(t).decode(t, &one)
	if tp := one.KnowledgeItem; tp == nil || tp.Status != "PUBLISHED" || tp.LiveVersion == nil || *tp.LiveVersion != 1 ||
		tp.PendingRevision == nil || *tp.PendingRevision != 2 || tp.RetiredAt != nil || tp.RetireReason != nil || tp.Versions[0].PublishedAt != nil {
		t.Errorf("the template with a pending revision: %+v", tp)
	}
	e.post(supervisor, item, map[string]any{"id": "no-such-item"}).ok(t).decode(t, &one)
	if one.KnowledgeItem != nil {
		t.Errorf("an unknown item: %+v", one.KnowledgeItem)
	}

	// A rollback to an earlier version is REVISED in the list as in the item.
	publish(template, 2)
	publish(template, 1)
	e.settle()
	if got := filtered(map[string]any{"status": "REVISED"}); !slices.Equal(got, []string{template}) {
		t.Errorf("after a rollback: REVISED lists %v", got)
	}

	for _, role := range []auth.Role{auth.RoleAgent, auth.RoleAnalyst, auth.RoleAuditor} {
		tok := e.token(role, fmt.Sprintf("%s-1", role))
		if codes := e.post(tok, list, nil).codes(); !slices.Equal(codes, []string{"FORBIDDEN"}) {
			t.Errorf("%s listing: %v, want FORBIDDEN", role, codes)
		}
		if codes := e.post(tok, item, map[string]any{"id": template}).codes(); !slices.Equal(codes, []string{"FORBIDDEN"}) {
			t.Errorf("%s reading an item: %v, want FORBIDDEN", role, codes)
		}
	}
}
