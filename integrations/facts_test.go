package integrations_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/integrations"
)

var secret = []byte("0123456789abcdef0123456789abcdef-crm")

// now is the server's clock in these tests.
var now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

type endpoint struct {
	t     *testing.T
	url   string
	store eventstore.Store
}

func newEndpoint(t *testing.T) *endpoint {
	t.Helper()
	h, store := commandstest.NewHandler(t)
	handler, err := integrations.NewHandler(integrations.Config{Recorder: h, Secret: secret, MaxBody: 4 << 10,
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /integrations/facts", handler)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &endpoint{t: t, url: srv.URL + "/integrations/facts", store: store}
}

// post sends body signed at signedAt with key (nil: unsigned), and
// returns the status and the decoded answer.
func (e *endpoint) post(body string, signedAt time.Time, key []byte, tweak func(*http.Request)) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.url, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != nil {
		ts := strconv.FormatInt(signedAt.Unix(), 10)
		req.Header.Set(integrations.TimestampHeader, ts)
		req.Header.Set(integrations.SignatureHeader, integrations.Sign(key, ts, []byte(body)))
	}
	if tweak != nil {
		tweak(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("status %d, body %q is not JSON: %v", resp.StatusCode, raw, err)
	}
	return resp.StatusCode, out
}

const order = `{"identity":{"kind":"PHONE","value":"+8613800138000"},"kind":"ORDER","source":"shop","externalId":"SO-1",
	"version":2,"attributes":{"total":"199.00","status":"PAID"},"effectiveAt":"2026-02-28T09:00:00Z"}`

func (e *endpoint) facts() []domain.BusinessFactRecorded {
	e.t.Helper()
	_, events := commandstest.AllEvents(e.t, e.store)
	var out []domain.BusinessFactRecorded
	for _, ev := range events {
		if f, ok := ev.(domain.BusinessFactRecorded); ok {
			out = append(out, f)
		}
	}
	return out
}

func TestFactsEndpointRecordsSignedFacts(t *testing.T) {
	e := newEndpoint(t)
	status, got := e.post(order, now.Add(-time.Minute), secret, nil)
	if status != http.StatusOK || got["outcome"] != "RECORDED" || got["customerCreated"] != true || got["position"].(float64) == 0 {
		t.Fatalf("first delivery: %d %v", status, got)
	}
	status, again := e.post(order, now, secret, nil)
	if status != http.StatusOK || again["outcome"] != "UNCHANGED" || again["position"] != got["position"] || again["customerId"] != got["customerId"] {
		t.Fatalf("second delivery: %d %v, first %v", status, again, got)
	}
	older := strings.Replace(order, `"version":2`, `"version":1`, 1)
	if status, stale := e.post(older, now, secret, nil); status != http.StatusOK || stale["outcome"] != "STALE" || stale["version"].(float64) != 2 {
		t.Fatalf("older version: %d %v", status, stale)
	}
	facts := e.facts()
	if len(facts) != 1 {
		t.Fatalf("facts recorded: %+v, want one", facts)
	}
	f := facts[0]
	if f.Source != "shop" || f.ExternalID != "SO-1" || f.Version != 2 || f.Attributes["total"] != "199.00" ||
		!f.EffectiveAt.Equal(time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("fact %+v", f)
	}
	recs, _ := commandstest.AllEvents(t, e.store)
	if md := string(recs[len(recs)-1].Metadata); !strings.Contains(md, `"actor":"integration:shop"`) {
		t.Errorf("metadata %s, want the integration as actor", md)
	}
}

func TestFactsEndpointRefusals(t *testing.T) {
	e := newEndpoint(t)
	for _, c := range []struct {
		name     string
		body     string
		signedAt time.Time
		key      []byte
		tweak    func(*http.Request)
		status   int
		says     string
	}{
		{"unsigned", order, now, nil, nil, http.StatusUnauthorized, "sign the request"},
		{"wrong secret", order, now, []byte("another secret of thirty-two bytes!!"), nil, http.StatusUnauthorized, "signature does not match"},
		{"signature of another body", order, now, secret, func(r *http.Request) {
			other := strings.Replace(order, "199.00", "1.00", 1)
			r.Header.Set(integrations.SignatureHeader, integrations.Sign(secret, r.Header.Get(integrations.TimestampHeader), []byte(other)))
		}, http.StatusUnauthorized, "signature does not match"},
		{"signature of another time", order, now, secret, func(r *http.Request) {
			r.Header.Set(integrations.TimestampHeader, strconv.FormatInt(now.Unix()-1, 10))
		}, http.StatusUnauthorized, "signature does not match"},
		{"signed too long ago", order, now.Add(-6 * time.Minute), secret, nil, http.StatusUnauthorized, "more than the 5m0s allowed"},
		{"signed in the future", order, now.Add(6 * time.Minute), secret, nil, http.StatusUnauthorized, "more than the 5m0s allowed"},
		{"timestamp not a number", order, now, secret, func(r *http.Request) { r.Header.Set(integrations.TimestampHeader, "yesterday") },
			http.StatusUnauthorized, "Unix seconds"},
		{"oversized body", `{"attributes":{"a":"` + strings.Repeat("x", 5<<10) + `"}}`, now, secret, nil, http.StatusRequestEntityTooLarge, "allowed"},
		{"malformed JSON", `{"kind":"ORDER",`, now, secret, nil, http.StatusBadRequest, "not a fact"},
		{"unknown field", strings.Replace(order, `"externalId"`, `"external_id"`, 1), now, secret, nil, http.StatusBadRequest, "unknown field"},
		{"two values", order + order, now, secret, nil, http.StatusBadRequest, "more than one"},
		{"invalid fact", strings.Replace(order, `"version":2`, `"version":0`, 1), now, secret, nil, http.StatusBadRequest, "version must be a positive integer"},
		{"invalid identity", strings.Replace(order, `+8613800138000`, `call me`, 1), now, secret, nil, http.StatusBadRequest, ""},
		{"not JSON", order, now, secret, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, http.StatusUnsupportedMediaType, "application/json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, got := e.post(c.body, c.signedAt, c.key, c.tweak)
			msg, _ := got["error"].(string)
			if status != c.status || msg == "" || !strings.Contains(msg, c.says) {
				t.Errorf("status %d, %v; want %d saying %q", status, got, c.status, c.says)
			}
		})
	}
	if facts := e.facts(); len(facts) != 0 {
		t.Errorf("refused requests recorded %+v", facts)
	}
}

func TestNewHandlerWantsALongSecret(t *testing.T) {
	h, _ := commandstest.NewHandler(t)
	if _, err := integrations.NewHandler(integrations.Config{Recorder: h, Secret: []byte("short")}); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, append(secret, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := integrations.LoadSecret(good); err != nil || string(got) != string(secret) {
		t.Errorf("LoadSecret = %q, %v", got, err)
	}
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, secret, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := integrations.LoadSecret(open); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable secret: %v", err)
	}
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("tiny"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := integrations.LoadSecret(short); err == nil {
		t.Error("a 4-byte secret was loaded")
	}
}
