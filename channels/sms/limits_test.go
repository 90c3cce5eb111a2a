package sms_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

func serveLimited(t *testing.T, g *limit.Guard) (*chantest.Ledger, string) {
	t.Helper()
	l := chantest.NewLedger(t)
	mux := http.NewServeMux()
	mux.Handle("POST /channels/sms", sms.NewWebhook(sms.Config{Receiver: l.Handler, Insecure: true, Logger: slog.New(slog.DiscardHandler), Limits: g}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return l, srv.URL + "/channels/sms"
}

func postFrom(t *testing.T, ip, endpoint, sid, from string) *http.Response {
	t.Helper()
	resp, err := chantest.ClientFrom(ip).Post(endpoint, "application/x-www-form-urlencoded", strings.NewReader(message(sid, from, "hi").Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestSenderFloodIsCutOff: the provider's address is shared by every
// customer, so one sender flooding is limited by its number (429 with
// Retry-After), and another sender on the same address is served.
func TestSenderFloodIsCutOff(t *testing.T) {
	l, endpoint := serveLimited(t, limit.NewGuard(limit.GuardConfig{PerIdentity: limit.Rate{PerSecond: 0.01, Burst: 3}}))
	for n := range 6 {
		resp := postFrom(t, "127.0.0.1", endpoint, fmt.Sprint("SMf", n), "+86 138 0000 0001")
		want := http.StatusOK
		if n >= 3 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want || want == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Fatalf("message %d: %d (Retry-After %q), want %d", n, resp.StatusCode, resp.Header.Get("Retry-After"), want)
		}
	}
	if resp := postFrom(t, "127.0.0.1", endpoint, "SMo", "+86 138 0000 0002"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another sender: %d", resp.StatusCode)
	}
	if n := len(chantest.Of[domain.MessageReceived](t, l)); n != 4 {
		t.Fatalf("%d messages appended, want 4", n)
	}
}

// TestSourceFloodIsCutOff: requests from one address over its rate are
// refused before they are read; another address is served.
func TestSourceFloodIsCutOff(t *testing.T) {
	l, endpoint := serveLimited(t, limit.NewGuard(limit.GuardConfig{PerSource: limit.Rate{PerSecond: 0.01, Burst: 2}}))
	for n := range 4 {
		resp := postFrom(t, "127.0.0.1", endpoint, fmt.Sprint("SMs", n), fmt.Sprintf("+86 138 0000 %04d", n))
		if (n < 2) != (resp.StatusCode == http.StatusOK) || n >= 2 && resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("request %d: %d", n, resp.StatusCode)
		}
	}
	if resp := postFrom(t, "127.0.0.2", endpoint, "SMx", "+86 138 0000 0009"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another address: %d", resp.StatusCode)
	}
	if n := len(chantest.Of[domain.MessageReceived](t, l)); n != 3 {
		t.Fatalf("%d messages appended, want 3", n)
	}
}
