package wechat_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/wechat"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// TestFollowerFloodIsCutOff: WeChat's servers post for every follower, so
// a follower flooding is limited by openid (429, Retry-After) and another
// follower is served.
func TestFollowerFloodIsCutOff(t *testing.T) {
	const tok = "wechat-test-token"
	l := chantest.NewLedger(t)
	g := limit.NewGuard(limit.GuardConfig{PerIdentity: limit.Rate{PerSecond: 0.01, Burst: 2}})
	srv := httptest.NewServer(wechat.NewHandler(wechat.Config{Ledger: l.Handler, Token: tok, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return clock }, Limits: g}))
	t.Cleanup(srv.Close)
	push := func(n int, openid string) *http.Response {
		t.Helper()
		q := signedQuery(tok, fmt.Sprint("nonce-", n), clock)
		resp, err := chantest.ClientFrom("127.0.0.1").Post(srv.URL+"?"+q.Encode(), "text/xml", strings.NewReader(textPush(openid, fmt.Sprint(1000+n), "hi")))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for n := range 4 {
		resp := push(n, "oFlooder")
		if n < 2 && resp.StatusCode != http.StatusOK || n >= 2 && (resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "") {
			t.Fatalf("push %d: %d", n, resp.StatusCode)
		}
	}
	if resp := push(9, "oOther"); resp.StatusCode != http.StatusOK {
		t.Fatalf("another follower: %d", resp.StatusCode)
	}
	if n := len(chantest.Of[domain.MessageReceived](t, l)); n != 3 {
		t.Fatalf("%d messages appended, want 3", n)
	}
}
