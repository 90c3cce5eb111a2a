package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// apiHarness is `ledger serve` with the GraphQL component, in-process, on
// a fresh data directory.
type apiHarness struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	srv  *server
	url  string
	cmds *commands.Handler
}

func startAPI(t *testing.T, components ...serveComponent) *apiHarness {
	t.Helper()
	return startAPIWith(t, serveConfig{}, components...)
}

// startAPIWith is startAPI with cfg's settings (its data and listen
// addresses are the harness's).
func startAPIWith(t *testing.T, cfg serveConfig, components ...serveComponent) *apiHarness {
	t.Helper()
	t.Setenv("LEDGER_JWT_SECRET", "") // the generated secret, shared with `ledger token`
	h := &apiHarness{t: t, ctx: t.Context(), dir: t.TempDir()}
	cfg.data, cfg.addr, cfg.adminAddr = h.dir, "127.0.0.1:0", "127.0.0.1:0"
	srv, err := startServer(h.ctx, cfg, append(components, newGraphQLComponent())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.shutdown(5 * time.Second); err != nil {
			// What kept the server from draining: the goroutines still
			// serving requests.
			var stacks strings.Builder
			_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
			t.Errorf("shutdown: %v; goroutines:\n%s", err, stacks.String())
		}
	})
	h.srv, h.url = srv, "http://"+srv.addr+"/graphql"
	h.cmds = commands.NewHandler(srv.store)
	if srv.files != nil {
		h.cmds = commands.NewHandler(srv.store, commands.WithFiles(srv.files))
	}
	return h
}

// token mints a token with `ledger token` on the server's data directory.
func (h *apiHarness) token(role, subject string) string {
	h.t.Helper()
	out, err := ledger(h.t, "token", "--data", h.dir, "--role", role, "--subject", subject)
	if err != nil {
		h.t.Fatalf("token: %v\n%s", err, out)
	}
	return strings.TrimSpace(out)
}

// settle waits until the projections applied the whole ledger.
func (h *apiHarness) settle() {
	h.t.Helper()
	head, err := h.srv.store.HeadPosition(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	if err := h.srv.runner.WaitFor(ctx, head); err != nil {
		h.t.Fatal(err)
	}
}

type apiError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type apiResult struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []apiError      `json:"errors"`
}

func (r apiResult) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Extensions.Code)
	}
	return out
}

func (r apiResult) ok(t *testing.T) apiResult {
	t.Helper()
	if r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", r.status, r.Errors)
	}
	return r
}

func (r apiResult) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// post sends a GraphQL request over HTTP.
func (h *apiHarness) post(token, query string, vars map[string]any) apiResult {
	h.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		h.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	r := apiResult{status: resp.StatusCode}
	if err := json.Unmarshal(raw, &r); err != nil {
		h.t.Fatalf("response %q: %v", raw, err)
	}
	return r
}

// apiFixture is what seed records.
type apiFixture struct {
	customerID, interactionID, ticketID string
}

const (
	fixtureName  = "Wang Fang"
	fixturePhone = "+8613800138000"
	fixtureText  = "My router is broken"
)

// seed records, through the command layer, agents for the subjects the
// tests use, a customer who wrote on web chat, and a ticket with a note.
func (h *apiHarness) seed(agents ...string) apiFixture {
	h.t.Helper()
	meta := commands.Meta{Actor: "system:test"}
	for _, id := range agents {
		if _, err := h.cmds.Agent(h.ctx, id, domain.RegisterAgent{AgentID: id, Name: "Agent " + id}, meta); err != nil {
			h.t.Fatal(err)
		}
	}
	in := h.inbound("fixture-1", fixturePhone, fixtureName, fixtureText)
	ticket := h.openTicket(in.CustomerID)
	if _, err := h.cmds.Ticket(h.ctx, ticket, domain.AddTicketNote{AuthorID: "system", Text: "checked the line"}, meta); err != nil {
		h.t.Fatal(err)
	}
	h.settle()
	return apiFixture{customerID: in.CustomerID, interactionID: in.InteractionID, ticketID: ticket}
}

func (h *apiHarness) inbound(messageID, phone, name, text string) commands.InboundResult {
	h.t.Helper()
	res, err := h.cmds.ReceiveInbound(h.ctx, commands.InboundMessage{
		Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		DisplayName: name, ProviderMessageID: messageID, Text: text, SentAt: time.Now().UTC(),
	}, commands.Meta{})
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

// inboundFile records a web chat message carrying one file, kept.
func (h *apiHarness) inboundFile(messageID, phone, name string, content []byte) commands.InboundResult {
	h.t.Helper()
	res, err := h.cmds.ReceiveInbound(h.ctx, commands.InboundMessage{
		Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		ProviderMessageID: messageID, SentAt: time.Now().UTC(),
		Files: func(each func(string, io.Reader) error) error { return each(name, bytes.NewReader(content)) },
	}, commands.Meta{})
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

func (h *apiHarness) openTicket(customerID string) string {
	h.t.Helper()
	_, t, err := h.cmds.OpenTicket(h.ctx, domain.OpenTicket{CustomerID: customerID, Category: domain.CategoryComplaint, Subject: "Refund please"}, commands.Meta{Actor: "system:test"})
	if err != nil {
		h.t.Fatal(err)
	}
	return t.ID
}

func TestGraphQLMutationVisibleWithConsistency(t *testing.T) {
	h := startAPI(t)
	f := h.seed("a-001")
	agent := h.token("agent", "a-001")
	var opened struct {
		OpenTicket struct {
			Position int64
			Ticket   struct{ ID, Status string }
		}
	}
	h.post(agent, `mutation($c: ID!) { openTicket(customerId: $c, category: FAULT_REPORT, priority: URGENT, subject: "No dial tone",
		idempotencyKey: "open-1", consistency: READ_YOUR_WRITES) { position ticket { id status } } }`,
		map[string]any{"c": f.customerID}).ok(t).decode(t, &opened)
	id := opened.OpenTicket.Ticket.ID
	if opened.OpenTicket.Position == 0 || id == "" || opened.OpenTicket.Ticket.Status != "NEW" {
		t.Fatalf("openTicket %+v", opened)
	}
	// Read your writes: the very next query shows the ticket, in lists too.
	var after struct {
		Ticket   struct{ Priority string }
		Customer struct {
			OpenTickets []struct{ ID string }
		}
	}
	h.post(agent, `query($t: ID!, $c: ID!) { ticket(id: $t) { priority } customer(id: $c) { openTickets { id } } }`,
		map[string]any{"t": id, "c": f.customerID}).ok(t).decode(t, &after)
	found := false
	for _, tk := range after.Customer.OpenTickets {
		found = found || tk.ID == id
	}
	if after.Ticket.Priority != "URGENT" || !found {
		t.Errorf("after the mutation: %+v, want the new urgent ticket among the open ones", after)
	}
}

func TestGraphQLSubscriptionReceivesTicketUpdate(t *testing.T) {
	h := startAPI(t)
	f := h.seed("a-001")
	agent := h.token("agent", "a-001")
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws://"+h.srv.addr+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	send := func(m map[string]any) {
		if err := conn.WriteJSON(m); err != nil {
			t.Fatal(err)
		}
	}
	type msg struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	read := func() msg {
		var m msg
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + agent}})
	if m := read(); m.Type != "connection_ack" {
		t.Fatalf("got %+v, want connection_ack", m)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($id: ID!) { ticketUpdated(id: $id) { id status assignee { id } } }`,
		"variables": map[string]any{"id": f.ticketID},
	}})
	send(map[string]any{"type": "ping"}) // answered after the subscribe was handled
	if m := read(); m.Type != "pong" {
		t.Fatalf("got %+v, want pong", m)
	}
	h.post(agent, `mutation($t: ID!) { assignTicket(ticketId: $t, agentId: "a-001") { position } }`, map[string]any{"t": f.ticketID}).ok(t)
	m := read()
	var update struct {
		Data struct {
			TicketUpdated struct {
				ID, Status string
				Assignee   struct{ ID string }
			}
		}
	}
	if err := json.Unmarshal(m.Payload, &update); err != nil || m.Type != "next" || m.ID != "1" {
		t.Fatalf("got %+v (%v), want next for 1", m, err)
	}
	if u := update.Data.TicketUpdated; u.ID != f.ticketID || u.Status != "ASSIGNED" || u.Assignee.ID != "a-001" {
		t.Errorf("update %s: want the ticket assigned to a-001", m.Payload)
	}
}

// roleCell is what a role gets of an operation.
type roleCell string

const (
	full   roleCell = "full"
	masked roleCell = "masked"
	denied roleCell = "-"
)

// tableRoles are the roles in column order, with the subject of each
// role's token (registered as agents where the role acts as one).
var tableRoles = []struct{ role, subject string }{
	{"agent", "a-agent"}, {"supervisor", "a-super"}, {"analyst", "ana"}, {"auditor", "aud"}, {"admin", "a-admin"},
}

// TestGraphQLRoleOperationTable drives every cell of the role x operation
// rules through the running API: a denied cell must fail with FORBIDDEN,
// an allowed one must succeed, and reads of customer data must be masked
// exactly for analysts.
func TestGraphQLRoleOperationTable(t *testing.T) {
	h := startAPI(t, &fakeAnalytics{})
	f := h.seed("a-agent", "a-super", "a-admin", "a-other")
	table := []struct {
		op     string
		access [5]roleCell // agent, supervisor, analyst, auditor, admin
		probe  func(role, subject string) (query string, vars map[string]any)
		check  func(t *testing.T, data json.RawMessage, cell roleCell)
	}{
		{"readCustomers", [5]roleCell{full, full, masked, full, full},
			func(string, string) (string, map[string]any) {
				return `query($id: ID!) { customer(id: $id) { displayName identities { value } } }`, map[string]any{"id": f.customerID}
			}, func(t *testing.T, data json.RawMessage, cell roleCell) {
				wantName, wantPhone := fixtureName, fixturePhone
				if cell == masked {
					wantName, wantPhone = "W***", "+86*******8000"
				}
				var d struct {
					Customer struct {
						DisplayName string
						Identities  []struct{ Value string }
					}
				}
				mustDecode(t, data, &d)
				if d.Customer.DisplayName != wantName || len(d.Customer.Identities) != 1 || d.Customer.Identities[0].Value != wantPhone {
					t.Errorf("customer %+v, want %s / %s", d.Customer, wantName, wantPhone)
				}
			}},
		{"readInteractions", [5]roleCell{full, full, masked, full, full},
			func(string, string) (string, map[string]any) {
				return `query($id: ID!) { interaction(id: $id) { messages { text } identity { value } } }`, map[string]any{"id": f.interactionID}
			}, func(t *testing.T, data json.RawMessage, cell roleCell) {
				want := fixtureText
				if cell == masked {
					want = "[masked]"
				}
				var d struct {
					Interaction struct{ Messages []struct{ Text string } }
				}
				mustDecode(t, data, &d)
				if len(d.Interaction.Messages) == 0 || d.Interaction.Messages[0].Text != want {
					t.Errorf("messages %+v, want the first to read %q", d.Interaction.Messages, want)
				}
			}},
		{"readTickets", [5]roleCell{full, full, masked, full, full},
			func(string, string) (string, map[string]any) {
				return `query($id: ID!) { ticket(id: $id) { subject notes { text } } }`, map[string]any{"id": f.ticketID}
			}, func(t *testing.T, data json.RawMessage, cell roleCell) {
				want := "Refund please"
				if cell == masked {
					want = "[masked]"
				}
				var d struct{ Ticket struct{ Subject string } }
				mustDecode(t, data, &d)
				if d.Ticket.Subject != want {
					t.Errorf("subject %q, want %q", d.Ticket.Subject, want)
				}
			}},
		{"readQueues", [5]roleCell{full, full, full, denied, full},
			func(string, string) (string, map[string]any) { return `{ queues { name waitingCount } }`, nil },
			wantContains(`"name":"general"`)},
		{"readAgents", [5]roleCell{full, full, full, full, full},
			func(string, string) (string, map[string]any) { return `{ agents { id } }`, nil },
			wantContains(`"id":"a-agent"`)},
		{"readReports", [5]roleCell{denied, full, full, denied, full},
			func(string, string) (string, map[string]any) { return `{ reports { name } }`, nil },
			wantContains(`"name":"channel_volume"`)},
		{"readSlaAlerts", [5]roleCell{denied, full, denied, denied, full},
			func(string, string) (string, map[string]any) {
				return `{ slaAlerts(first: 5) { subjectId metric } }`, nil
			},
			wantContains(`"slaAlerts":[`)},
		{"readAuditTrail", [5]roleCell{denied, denied, denied, full, full},
			func(string, string) (string, map[string]any) {
				return `query($s: String!) { auditTrail(stream: $s) { eventCount } }`, map[string]any{"s": "ticket-" + f.ticketID}
			}, wantContains(`"eventCount":`)},
		{"verifyLedger", [5]roleCell{denied, denied, denied, full, full},
			func(string, string) (string, map[string]any) { return `{ verifyLedger { ok } }`, nil },
			wantContains(`"ok":true`)},
		{"actOnInteraction", [5]roleCell{full, full, denied, denied, full},
			func(string, string) (string, map[string]any) {
				return `mutation($i: ID!) { replyToInteraction(interactionId: $i, text: "on it") { position } }`, map[string]any{"i": f.interactionID}
			}, wantWrite},
		{"actOnTicket", [5]roleCell{full, full, denied, denied, full},
			func(string, string) (string, map[string]any) {
				return `mutation($t: ID!) { commentOnTicket(ticketId: $t, text: "noted") { position } }`, map[string]any{"t": f.ticketID}
			}, wantWrite},
		{"takeTicket", [5]roleCell{full, full, denied, denied, full},
			func(_, subject string) (string, map[string]any) {
				return `mutation($t: ID!, $a: ID!) { assignTicket(ticketId: $t, agentId: $a) { position } }`,
					map[string]any{"t": h.openTicket(f.customerID), "a": subject}
			}, wantWrite},
		{"reassignTicket", [5]roleCell{denied, full, denied, denied, full},
			func(string, string) (string, map[string]any) {
				return `mutation($t: ID!) { assignTicket(ticketId: $t, agentId: "a-other") { position } }`,
					map[string]any{"t": h.openTicket(f.customerID)}
			}, wantWrite},
		{"editIdentities", [5]roleCell{full, full, denied, denied, full},
			func(role, _ string) (string, map[string]any) {
				return `mutation($c: ID!, $v: String!) { linkIdentity(customerId: $c, kind: EMAIL, value: $v) { position } }`,
					map[string]any{"c": f.customerID, "v": role + "@example.com"}
			}, wantWrite},
		{"undoMerge", [5]roleCell{denied, full, denied, denied, full},
			func(role, _ string) (string, map[string]any) {
				n := roleIndex(role)
				source := h.inbound("merge-src-"+role, fmt.Sprintf("+8613900%02d0001", n), "Source "+role, "hi").CustomerID
				target := h.inbound("merge-tgt-"+role, fmt.Sprintf("+8613900%02d0002", n), "Target "+role, "hi").CustomerID
				if _, err := h.cmds.MergeCustomers(h.ctx, source, target, "same person", commands.Meta{Actor: "system:test"}); err != nil {
					t.Fatal(err)
				}
				return `mutation($s: ID!) { undoMerge(sourceId: $s, reason: "not the same") { position } }`, map[string]any{"s": source}
			}, wantWrite},
		{"eraseCustomer", [5]roleCell{denied, denied, denied, denied, full},
			func(role, _ string) (string, map[string]any) {
				id := h.inbound("erase-"+role, fmt.Sprintf("+8613900%02d0004", roleIndex(role)), "Erased "+role, "hi").CustomerID
				return `mutation($c: ID!) { eraseCustomer(customerId: $c, reason: "DSR-1") { position } }`, map[string]any{"c": id}
			}, wantWrite},
		{"setOwnPresence", [5]roleCell{full, full, denied, denied, full},
			func(string, string) (string, map[string]any) {
				return `mutation { setPresence(presence: BREAK, reason: "lunch") { position agent { presence } } }`, nil
			}, wantWrite},
		{"overrideQa", [5]roleCell{denied, full, denied, denied, full},
			func(role, _ string) (string, map[string]any) {
				n := roleIndex(role)
				id := h.inbound("qa-"+role, fmt.Sprintf("+8613900%02d0003", n), "Scored "+role, "hi").InteractionID
				scored := domain.QaScored{InteractionID: id, ScorecardID: "standard", Channel: domain.ChannelWebchat,
					Results: []domain.QaCriterionResult{{CriterionID: "greeting", Result: domain.QaFail, Weight: 1}}}
				if _, err := h.cmds.RecordQaScore(h.ctx, id, domain.RecordQaScore{Scored: scored}, commands.Meta{Actor: "system:qa"}); err != nil {
					t.Fatal(err)
				}
				return `mutation($i: ID!) { overrideQaCriterion(interactionId: $i, scorecard: "standard", criterion: "greeting", result: PASS, reason: "greeted by voice") { position } }`,
					map[string]any{"i": id}
			}, wantWrite},
		{"readQa", [5]roleCell{denied, full, denied, denied, full},
			func(role, _ string) (string, map[string]any) {
				n := roleIndex(role)
				id := h.inbound("qa-read-"+role, fmt.Sprintf("+8613900%02d0004", n), "Reviewed "+role, "hi").InteractionID
				scored := domain.QaScored{InteractionID: id, ScorecardID: "standard", Channel: domain.ChannelWebchat, Score: 0,
					Results: []domain.QaCriterionResult{{CriterionID: "greeting", Kind: domain.QaGreeting, Result: domain.QaFail, Weight: 1}}}
				if _, err := h.cmds.RecordQaScore(h.ctx, id, domain.RecordQaScore{Scored: scored}, commands.Meta{Actor: "system:qa"}); err != nil {
					t.Fatal(err)
				}
				return `query($i: ID!) { qaReview(interactionId: $i) { scorecard score criteria { id kind result overridden } } }`, map[string]any{"i": id}
			}, wantContains(`"criteria":[{"id":"greeting","kind":"greeting","result":"FAIL","overridden":false}]`)},
		{"readKnowledge", [5]roleCell{full, full, full, full, full},
			func(string, string) (string, map[string]any) {
				return `{ searchKnowledge(text: "订单延迟") { id title } }`, nil
			}, wantContains(`"searchKnowledge":[`)},
		{"authorKnowledge", [5]roleCell{denied, full, denied, denied, full},
			func(role, _ string) (string, map[string]any) {
				return `mutation($t: String!) { draftKnowledge(kind: TEMPLATE, title: $t, body: "{{customer.displayName}}您好，订单已延迟。", language: "zh") { id status latestVersion position } }`,
					map[string]any{"t": "订单延迟 " + role}
			}, wantContains(`"status":"DRAFT","latestVersion":1`)},
		{"downloadFiles", [5]roleCell{full, full, denied, full, full},
			func(role, _ string) (string, map[string]any) {
				id := h.inboundFile("file-"+role, fmt.Sprintf("+8613900%02d0005", roleIndex(role)), "note.txt", []byte("see the serial number")).InteractionID
				h.settle()
				return `query($i: ID!) { interaction(id: $i) { messages(first: 5) { attachments { name downloadUrl } } } }`, map[string]any{"i": id}
			}, wantContains(`"name":"note.txt","downloadUrl":"/files/interactions/`)},
		{"recordFacts", [5]roleCell{denied, denied, denied, denied, full}, // and the integration role, not a column here
			func(role, _ string) (string, map[string]any) {
				return `mutation($in: BusinessFactInput!) { recordBusinessFact(input: $in) { outcome } }`,
					map[string]any{"in": map[string]any{"identityKind": "PHONE", "identityValue": fixturePhone, "kind": "ORDER", "source": "shop",
						"externalId": "order-" + role, "version": 1, "attributes": []map[string]any{{"name": "total", "value": "99.00"}}}}
			}, wantContains(`"outcome":"RECORDED"`)},
		{"manageAgents", [5]roleCell{denied, full, denied, denied, full},
			func(role, _ string) (string, map[string]any) {
				return `mutation($id: ID!) { registerAgent(id: $id, name: "New Hire", skills: [{name: "billing", level: 3}]) { position } }`,
					map[string]any{"id": "new-" + role}
			}, wantWrite},
	}
	allowed := map[string][]string{}
	for _, row := range table {
		for i, r := range tableRoles {
			cell := row.access[i]
			if cell != denied {
				allowed[r.role] = append(allowed[r.role], row.op)
			}
			t.Run(row.op+"/"+r.role, func(t *testing.T) {
				query, vars := row.probe(r.role, r.subject)
				res := h.post(h.token(r.role, r.subject), query, vars)
				if cell == denied {
					if codes := res.codes(); len(codes) != 1 || codes[0] != "FORBIDDEN" {
						t.Errorf("errors %+v, want FORBIDDEN only", res.Errors)
					}
					return
				}
				res.ok(t)
				row.check(t, res.Data, cell)
			})
		}
	}
	// The API's own account of each role agrees with the table, row for row.
	for _, r := range tableRoles {
		var me struct{ Me struct{ Operations []string } }
		h.post(h.token(r.role, r.subject), `{ me { operations } }`, nil).ok(t).decode(t, &me)
		want := allowed[r.role]
		slices.Sort(want)
		if strings.Join(me.Me.Operations, ",") != strings.Join(want, ",") {
			t.Errorf("%s may %v, the table says %v", r.role, me.Me.Operations, want)
		}
	}
}

func mustDecode(t *testing.T, data json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

// wantContains checks that the data holds a fragment of JSON.
func wantContains(fragment string) func(*testing.T, json.RawMessage, roleCell) {
	return func(t *testing.T, data json.RawMessage, _ roleCell) {
		t.Helper()
		if !strings.Contains(string(data), fragment) {
			t.Errorf("data %s lacks %s", data, fragment)
		}
	}
}

// wantWrite checks that a mutation wrote to the ledger.
func wantWrite(t *testing.T, data json.RawMessage, _ roleCell) {
	t.Helper()
	var d map[string]struct{ Position int64 }
	mustDecode(t, data, &d)
	for name, p := range d {
		if p.Position <= 0 {
			t.Errorf("%s wrote nothing: %s", name, data)
		}
	}
}

// roleIndex is a role's column in the table.
func roleIndex(role string) int {
	return slices.IndexFunc(tableRoles, func(r struct{ role, subject string }) bool { return r.role == role })
}

// fakeAnalytics is a component standing in for the analytics component:
// it offers the API a reporter, as the real one does.
type fakeAnalytics struct{}

func (*fakeAnalytics) addFlags(*flag.FlagSet) {}

func (*fakeAnalytics) provide(*serveCore) (offers, error) {
	return offers{reporter: fakeReporter{}}, nil
}

func (*fakeAnalytics) start(*serveCore, offers) error { return nil }

type fakeReporter struct{}

func (fakeReporter) Definitions() []analytics.Definition {
	return []analytics.Definition{{Name: "channel_volume", Title: "Channel volume", GroupBy: []string{"channel"}}}
}

func (fakeReporter) Report(context.Context, analytics.Request) (analytics.Table, error) {
	return analytics.Table{Report: "channel_volume"}, nil
}

func TestTokenCommand(t *testing.T) {
	t.Setenv("LEDGER_JWT_SECRET", "")
	dir := t.TempDir()
	first, err := ledger(t, "token", "--data", dir, "--role", "auditor", "--subject", "aud-1", "--ttl", "1h")
	if err != nil || strings.Count(strings.TrimSpace(first), ".") != 2 {
		t.Fatalf("token: %v, %q", err, first)
	}
	info, err := os.Stat(filepath.Join(dir, "jwt-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v", info, err)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"--role", "agent"}, 2},
		{[]string{"--subject", "x"}, 2},
		{[]string{"--role", "root", "--subject", "x"}, 2},
		{[]string{"--role", "agent", "--subject", "x", "--ttl", "10000h"}, 2},
		{[]string{"--role", "agent", "--subject", "has space"}, 2},
		{[]string{"--role", "agent", "--subject", "x", "--jwt-secret", "short"}, 1},
	} {
		if _, err := ledger(t, append([]string{"token", "--data", dir}, c.args...)...); exitCode(err) != c.code {
			t.Errorf("token %v: exit %d (%v), want %d", c.args, exitCode(err), err, c.code)
		}
	}
}

// TestTokenRevokeCommand: `ledger token revoke` on the server's data
// directory ends the subject's tokens at the running server's next
// request; a token minted afterwards works. `ledger token` mints for the
// role's longest lifetime by default, never more.
func TestTokenRevokeCommand(t *testing.T) {
	h := startAPI(t)
	tok := h.token("admin", "adm-1")
	if r := h.post(tok, `{ me { subject } }`, nil); r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("before revocation: %d %+v", r.status, r.Errors)
	}
	if out, err := ledger(t, "token", "revoke", "--data", h.dir, "--subject", "adm-1"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: %v, %q", err, out)
	}
	if r := h.post(tok, `{ me { subject } }`, nil); r.status != http.StatusUnauthorized {
		t.Errorf("after revocation: %d %+v, want 401", r.status, r.Errors)
	}
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) // the next second
	fresh := h.token("admin", "adm-1")
	if r := h.post(fresh, `{ me { subject } }`, nil); r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("a token minted after the revocation: %d %+v", r.status, r.Errors)
	}
	info, err := os.Stat(filepath.Join(h.dir, "token-revocations.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("revocation file: %v, %v", info, err)
	}
	if _, err := ledger(t, "token", "revoke", "--data", h.dir); exitCode(err) != 2 {
		t.Errorf("token revoke without --subject: exit %d, want 2", exitCode(err))
	}
	if _, err := ledger(t, "token", "--data", h.dir, "--role", "admin", "--subject", "x", "--ttl", "2h"); exitCode(err) != 2 {
		t.Errorf("an admin token for 2h: exit %d, want 2", exitCode(err))
	}
}

// TestServeRefusesOpenSecretFile: serve does not start with a JWT secret
// file its group or others can read.
func TestServeRefusesOpenSecretFile(t *testing.T) {
	t.Setenv("LEDGER_JWT_SECRET", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "jwt-secret")
	if err := os.WriteFile(path, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0"}, newGraphQLComponent())
	if err == nil {
		_ = srv.shutdown(5 * time.Second)
		t.Fatal("serve started with a world-readable JWT secret file")
	}
	if !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("refusal %q does not say what to do", err)
	}
}

// readmeGraphQLExamples returns the graphql blocks of README.md's "GraphQL
// API" section, each keyed by the first words of the paragraph before it
// ("An agent", "An analyst", "An auditor", or "**Mutations**").
func readmeGraphQLExamples(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## GraphQL API\n")
	if !ok {
		t.Fatal("README.md has no GraphQL API section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	examples := map[string]string{}
	parts := strings.Split(section, "```graphql\n")
	for i := 1; i < len(parts); i++ {
		body, _, ok := strings.Cut(parts[i], "```")
		if !ok {
			t.Fatalf("unterminated graphql block %d", i)
		}
		before := strings.TrimSpace(parts[i-1])
		if j := strings.LastIndex(before, "\n\n"); j >= 0 {
			before = before[j+2:]
		}
		if j := strings.LastIndex(before, "```"); j >= 0 { // the paragraph follows another block
			before = strings.TrimSpace(before[j+3:])
		}
		examples[paragraphKey(before)] = body
	}
	return examples
}

// paragraphKey is the first two words of a paragraph, without punctuation.
func paragraphKey(paragraph string) string {
	words := strings.Fields(paragraph)
	for i := range words {
		words[i] = strings.Trim(words[i], ",.:;*`()")
	}
	return strings.Join(words[:min(2, len(words))], " ")
}

// TestReadmeGraphQLExamples runs the README's example queries of an agent,
// an analyst and an auditor, and its mutation, as those roles, against a
// running server: they must be valid, allowed and answered without error.
func TestReadmeGraphQLExamples(t *testing.T) {
	h := startAPI(t, &fakeAnalytics{})
	f := h.seed("a-007")
	examples := readmeGraphQLExamples(t)
	for _, c := range []struct {
		paragraph, role, subject string
		vars                     map[string]any
		want                     string // a fragment of the answer's data
	}{
		{"An agent", "agent", "a-007", nil, `"displayName":"` + fixtureName + `"`},
		{"An analyst", "analyst", "ana", nil, `"name":"general"`},
		{"An auditor", "auditor", "aud", map[string]any{
			"stream": "ticket-" + f.ticketID, "asOf": time.Now().UTC().Add(time.Minute).Format(time.RFC3339),
		}, `"ok":true`},
		{"**Mutations** (`replyToInteraction`,", "agent", "a-007", nil, `"status":"RESOLVED"`},
	} {
		t.Run(c.paragraph, func(t *testing.T) {
			query, ok := examples[paragraphKey(c.paragraph)]
			if !ok {
				t.Fatalf("README.md has no example after a paragraph starting %q; it has %d examples", c.paragraph, len(examples))
			}
			// The README's placeholder id stands for a real ticket.
			query = strings.ReplaceAll(query, `"01a209b2-..."`, `"`+f.ticketID+`"`)
			res := h.post(h.token(c.role, c.subject), query, c.vars).ok(t)
			if !strings.Contains(string(res.Data), c.want) {
				t.Errorf("data %s lacks %s", res.Data, c.want)
			}
		})
	}
}

// TestBenchGraphQL runs `ledger bench graphql`, small, against a running
// API: it finds the ledger's identities through the API, every request
// answers, and the report names its figures.
func TestBenchGraphQL(t *testing.T) {
	h := startAPI(t)
	h.seed("a-001")
	h.inbound("bench-2", "+8613900139000", "Zhao Lei", "hello")
	h.settle()
	out, err := ledger(t, "bench", "graphql", "--data", h.dir, "--url", h.url, "--admin", "http://"+h.srv.adminAddr, "--clients", "4",
		"--warmup", "0s", "--duration", "3s", "--server-pid", fmt.Sprint(os.Getpid()))
	if err != nil {
		t.Fatalf("bench graphql: %v\n%s", err, out)
	}
	for _, want := range []string{"2 identities; 4 clients, closed loop", "requests/s", "p99", "; 0 errors", "server CPU:", "server peak RSS (VmHWM):"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if _, err := ledger(t, "bench", "graphql", "--clients", "0"); exitCode(err) != 2 {
		t.Errorf("--clients 0: exit %d, want 2", exitCode(err))
	}
}
