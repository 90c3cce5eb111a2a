package main

import (
	"flag"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

func parseLimitFlags(t *testing.T, args ...string) (*limitSettings, error) {
	t.Helper()
	var f limitFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.addFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.parse()
}

func TestLimitFlags(t *testing.T) {
	def, err := parseLimitFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	if def.client.Unlimited() || def.provider.Unlimited() || def.identity.Unlimited() || def.sip.Unlimited() || def.connect.Unlimited() ||
		def.sockets != defaultSocketsPerAddr || def.interaction.MaxMessages != defaultMaxMessages || def.interaction.MaxBytesPerHour != defaultMaxBytesPerHour {
		t.Fatalf("defaults %+v: every limit should be on", def)
	}
	t.Setenv("LEDGER_LIMIT_IDENTITY_RATE", "2/s:4")
	t.Setenv("LEDGER_INTERACTION_MAX_MESSAGES", "7")
	t.Setenv("LEDGER_LIMIT_EXEMPT", "10.0.0.0/8")
	env, err := parseLimitFlags(t, "--limit-sip-rate", "off")
	if err != nil {
		t.Fatal(err)
	}
	if env.identity != (limit.Rate{PerSecond: 2, Burst: 4}) || env.interaction.MaxMessages != 7 || len(env.exempt) != 1 || !env.sip.Unlimited() {
		t.Fatalf("from the environment: %+v", env)
	}
	for _, bad := range [][]string{
		{"--limit-client-rate", "fast"}, {"--limit-exempt", "somewhere"}, {"--webchat-max-sockets", "-1"},
		{"--interaction-max-bytes-per-hour", "1MB"}, {"--webchat-connect-rate", "5/d"},
	} {
		if _, err := parseLimitFlags(t, bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestServeLimitsTheChannels runs `ledger serve` in-process with abuse
// limits: one app customer flooding is cut off with 429 and Retry-After
// while another is served; a conversation over its message cap is refused
// and supervisors get InteractionLimitReached, which the projections take
// in their stride (they catch up instead of halting on it).
func TestServeLimitsTheChannels(t *testing.T) {
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	limits, err := parseLimitFlags(t, "--limit-identity-rate", "1/h:3", "--interaction-max-messages", "2")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0", limits: limits}, channelsComponent(p), newOutboundComponent())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	base := "http://" + srv.addr
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	post := func(id, phone string) *http.Response {
		t.Helper()
		body := fmt.Sprintf(`{"messageId": %q, "identity": {"kind": "PHONE", "value": %q}, "text": "hi"}`, id, phone)
		req, _ := http.NewRequest(http.MethodPost, base+"/channels/app", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(app.KeyHeader, testAppServerKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	statuses := []int{}
	for n := range 4 {
		statuses = append(statuses, post(fmt.Sprint("flood-", n), "+8613800000001").StatusCode)
	}
	// Two recorded, the third over the conversation's cap, the fourth over
	// the customer's rate (three a burst).
	if want := []int{200, 200, 429, 429}; fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Fatalf("flood statuses %v, want %v", statuses, want)
	}
	if resp := post("flood-9", "+8613800000001"); resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a rate refusal without Retry-After: %d", resp.StatusCode)
	}
	if resp := post("other-1", "+8613800000002"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another customer: %d", resp.StatusCode)
	}
	head, err := srv.store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for srv.runner.Position() < head {
		if time.Now().After(deadline) {
			t.Fatalf("projections stuck at %d of %d", srv.runner.Position(), head)
		}
		time.Sleep(10 * time.Millisecond)
	}
	reached := 0
	page, err := srv.store.ReadAll(t.Context(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page {
		if e.Type == (domain.InteractionLimitReached{}).EventType() {
			reached++
		}
	}
	if reached != 1 {
		t.Fatalf("%d InteractionLimitReached, want 1", reached)
	}
}
