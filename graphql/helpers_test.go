package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// testSecret signs the tests' tokens.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// env is a running API on a fresh ledger: store, read models with their
// runner, command handler, and the API behind an httptest server.
type env struct {
	t      testing.TB
	ctx    context.Context
	store  *sqlite.Store
	db     *projections.ReadDB
	runner *projections.Runner
	cmds   *commands.Handler
	auth   *auth.Authenticator
	api    *Server
	reg    *prometheus.Registry
	http   *httptest.Server
	url    string
}

type envOption func(*Config)

// withWaiter replaces the runner the API waits on.
func withWaiter(w Waiter) envOption { return func(c *Config) { c.Runner = w } }

// withLimits sets the API's limits.
func withLimits(l Limits) envOption { return func(c *Config) { c.Limits = l } }

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{t: t, ctx: ctx, reg: prometheus.NewRegistry()}
	dir := t.TempDir()
	var err error
	if e.store, err = sqlite.Open(ctx, filepath.Join(dir, "events.db"), sqlite.WithLogger(quietLogger)); err != nil {
		t.Fatal(err)
	}
	if e.db, err = projections.OpenReadDB(ctx, filepath.Join(dir, "read.db")); err != nil {
		t.Fatal(err)
	}
	e.runner = projections.NewRunner(e.store, e.db, quietLogger, projections.Standard()...)
	if err := e.runner.RegisterMetrics(e.reg); err != nil {
		t.Fatal(err)
	}
	e.cmds = commands.NewHandler(e.store, commands.WithLogger(quietLogger))
	if e.auth, err = auth.NewAuthenticator(testSecret); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: e.store, ReadDB: e.db, Runner: e.runner, Commands: e.cmds, Reporter: fakeReporter{},
		Auth: e.auth, Logger: quietLogger, Registerer: e.reg}
	for _, o := range opts {
		o(&cfg)
	}
	if e.api, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := e.runner.Run(ctx); err != nil {
			t.Errorf("projections: %v", err)
		}
	}()
	go func() {
		defer wg.Done()
		e.api.Run(ctx)
	}()
	mux := http.NewServeMux()
	mux.Handle("/graphql", e.api)
	e.http = httptest.NewServer(mux)
	e.url = e.http.URL + "/graphql"
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		e.http.Close()
		e.db.Close()
		e.store.Close()
	})
	return e
}

// token mints a token for role and subject.
func (e *env) token(role auth.Role, subject string) string {
	e.t.Helper()
	tok, err := e.auth.Mint(subject, role, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// settle waits until the read models applied everything in the ledger.
func (e *env) settle() {
	e.t.Helper()
	head, err := e.store.HeadPosition(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	if err := e.runner.WaitFor(ctx, head); err != nil {
		e.t.Fatal(err)
	}
}

// gqlError is an error of a response.
type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// result is a decoded response.
type result struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// codes lists the response's error codes.
func (r result) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Extensions.Code)
	}
	return out
}

// ok fails the test when the response has errors.
func (r result) ok(t testing.TB) result {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
	}
	return r
}

// decode decodes the data into v.
func (r result) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// post runs a request over HTTP POST.
func (e *env) post(token, query string, vars map[string]any) result {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.send(http.MethodPost, e.url, token, "application/json", body)
}

func (e *env) send(method, url, token, contentType string, body []byte) result {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, url, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := result{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &r); err != nil {
		e.t.Fatalf("%s %s: status %d, body %q: %v", method, url, resp.StatusCode, raw, err)
	}
	return r
}

// fixture is what seed puts in the ledger.
type fixture struct {
	customerID    string
	interactionID string
	ticketID      string
	agentID       string
}

const (
	seedPhone = "+8613800138000"
	seedName  = "Wang Fang"
	seedText  = "My router is broken"
	seedNote  = "checked the line"
)

// seed records a customer who wrote on web chat, an agent, and a
// complaint ticket with a note, and waits until the read models show them.
func (e *env) seed() fixture {
	e.t.Helper()
	var f fixture
	f.agentID = "a-001"
	e.registerAgent(f.agentID, "Li Lei")
	in := e.inbound("seed-1", seedPhone, seedName, seedText)
	f.customerID, f.interactionID = in.CustomerID, in.InteractionID
	f.ticketID = e.openTicket(f.customerID, "Refund please")
	if _, err := e.cmds.Ticket(e.ctx, f.ticketID, domain.AddTicketNote{AuthorID: f.agentID, Text: seedNote}, commands.Meta{Actor: "agent:" + f.agentID}); err != nil {
		e.t.Fatal(err)
	}
	e.settle()
	return f
}

// inbound records a customer's web chat message.
func (e *env) inbound(messageID, phone, name, text string) commands.InboundResult {
	e.t.Helper()
	res, err := e.cmds.ReceiveInbound(e.ctx, commands.InboundMessage{
		Channel: domain.ChannelWebchat, From: domain.Identity{Kind: domain.IdentityPhone, Value: phone},
		DisplayName: name, ProviderMessageID: messageID, Text: text, SentAt: time.Now().UTC(),
	}, commands.Meta{})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) registerAgent(id, name string) {
	e.t.Helper()
	if _, err := e.cmds.Agent(e.ctx, id, domain.RegisterAgent{AgentID: id, Name: name, Skills: map[string]int{"billing": 5}}, commands.Meta{Actor: "system:test"}); err != nil {
		e.t.Fatal(err)
	}
}

// openTicket opens an unassigned complaint for a customer.
func (e *env) openTicket(customerID, subject string) string {
	e.t.Helper()
	_, t, err := e.cmds.OpenTicket(e.ctx, domain.OpenTicket{CustomerID: customerID, Category: domain.CategoryComplaint, Subject: subject}, commands.Meta{Actor: "system:test"})
	if err != nil {
		e.t.Fatal(err)
	}
	return t.ID
}

// fakeReporter stands in for the analytics component.
type fakeReporter struct{}

func (fakeReporter) Definitions() []analytics.Definition {
	return []analytics.Definition{{Name: "channel_volume", Title: "Channel volume", Description: "Interactions per channel", GroupBy: []string{"channel", "day"}}}
}

func (fakeReporter) Report(_ context.Context, req analytics.Request) (analytics.Table, error) {
	if req.Name != "channel_volume" {
		return analytics.Table{}, domain.Errorf(domain.EINVALID, "unknown report %q", req.Name)
	}
	return analytics.Table{Report: req.Name, Columns: []analytics.Column{{Name: "channel", Type: "string"}, {Name: "interactions", Type: "int"}},
		Rows: [][]any{{"WEBCHAT", int64(3)}, {"PHONE", int64(1)}}}, nil
}

// counter reads a counter of the env's registry.
func (e *env) counter(name string, labels map[string]string) float64 {
	e.t.Helper()
	families, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// must is a compact fatal check.
func must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
