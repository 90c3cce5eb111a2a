package app_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

func postFrom(t *testing.T, ip, endpoint, msgID, phone string) *http.Response {
	t.Helper()
	body := fmt.Sprintf(`{"messageId": %q, "identity": {"kind": "PHONE", "value": %q}, "text": "hi"}`, msgID, phone)
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(app.KeyHeader, serverKey)
	resp, err := chantest.ClientFrom(ip).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestFloodsAreCutOff: a flood from one address, and one from one
// customer identity, are refused with 429 and Retry-After; another
// address and another customer are served normally.
func TestFloodsAreCutOff(t *testing.T) {
	l := chantest.NewLedger(t)
	g := limit.NewGuard(limit.GuardConfig{PerSource: limit.Rate{PerSecond: 0.01, Burst: 4}, PerIdentity: limit.Rate{PerSecond: 0.01, Burst: 2}})
	h, err := app.NewHandler(app.Config{Receiver: l.Handler, ServerKey: serverKey, Logger: slog.New(slog.DiscardHandler), Limits: g})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	expect := func(resp *http.Response, status int) {
		t.Helper()
		if resp.StatusCode != status || status == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Fatalf("status %d (Retry-After %q), want %d", resp.StatusCode, resp.Header.Get("Retry-After"), status)
		}
	}
	// One customer: two, then refused.
	expect(postFrom(t, "127.0.0.1", srv.URL, "a1", "+8613800000001"), http.StatusOK)
	expect(postFrom(t, "127.0.0.1", srv.URL, "a2", "+8613800000001"), http.StatusOK)
	expect(postFrom(t, "127.0.0.1", srv.URL, "a3", "+86 138 0000 0001"), http.StatusTooManyRequests)
	// Another customer from the same address is served, until the
	// address's own budget (4) is spent.
	expect(postFrom(t, "127.0.0.1", srv.URL, "b1", "+8613800000002"), http.StatusOK)
	expect(postFrom(t, "127.0.0.1", srv.URL, "c1", "+8613800000003"), http.StatusTooManyRequests)
	// Another address is served.
	expect(postFrom(t, "127.0.0.2", srv.URL, "d1", "+8613800000004"), http.StatusOK)
	if n := len(chantest.Of[domain.MessageReceived](t, l)); n != 4 {
		t.Fatalf("%d messages appended, want 4", n)
	}
}
