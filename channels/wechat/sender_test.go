package wechat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/channels/wechat"
	"github.com/interactionledger/ledger/domain"
)

// api is a local stand-in for the WeChat API: it hands out tokens and
// takes customer-service messages.
type api struct {
	mu          sync.Mutex
	tokenCalls  int
	sent        []map[string]any
	usedTokens  []string
	sendAnswers []string // answered in turn; the last one repeats
}

func newAPI(t *testing.T, sendAnswers ...string) (*api, string) {
	a := &api{sendAnswers: sendAnswers}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if r.URL.Query().Get("appid") != "wxapp" || r.URL.Query().Get("secret") != "s3cret" || r.URL.Query().Get("grant_type") != "client_credential" {
			_, _ = io.WriteString(w, `{"errcode":40013,"errmsg":"invalid appid"}`)
			return
		}
		a.tokenCalls++
		fmt.Fprintf(w, `{"access_token":"TOKEN-%d","expires_in":7200}`, a.tokenCalls)
	})
	mux.HandleFunc("POST /cgi-bin/message/custom/send", func(w http.ResponseWriter, r *http.Request) {
		var msg map[string]any
		_ = json.NewDecoder(r.Body).Decode(&msg)
		a.mu.Lock()
		defer a.mu.Unlock()
		a.sent = append(a.sent, msg)
		a.usedTokens = append(a.usedTokens, r.URL.Query().Get("access_token"))
		answer := a.sendAnswers[min(len(a.sent), len(a.sendAnswers))-1]
		_, _ = io.WriteString(w, answer)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return a, srv.URL
}

var fan = domain.Identity{Kind: domain.IdentityWeChat, Value: "oFan1"}

func delivery(text string) outbound.Delivery {
	return outbound.Delivery{SourceEventID: "e1", Channel: domain.ChannelWeChat, To: fan, Text: text, Attempt: 1}
}

func newSender(t *testing.T, base string) *wechat.Sender {
	s, err := wechat.NewSender(wechat.SenderConfig{BaseURL: base, AppID: "wxapp", AppSecret: "s3cret", Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSenderSendsWithACachedToken(t *testing.T) {
	a, base := newAPI(t, `{"errcode":0,"errmsg":"ok"}`)
	s := newSender(t, base)
	for _, text := range []string{"您好 <b>&</b>", "second"} {
		if _, err := s.Send(context.Background(), delivery(text)); err != nil {
			t.Fatal(err)
		}
	}
	if a.tokenCalls != 1 || a.usedTokens[0] != "TOKEN-1" || a.usedTokens[1] != "TOKEN-1" {
		t.Errorf("%d token fetches, tokens used %v; want one token for both", a.tokenCalls, a.usedTokens)
	}
	first := a.sent[0]
	if first["touser"] != "oFan1" || first["msgtype"] != "text" || first["text"].(map[string]any)["content"] != "您好 <b>&</b>" {
		t.Errorf("message %v", first)
	}
}

func TestSenderRenewsARevokedToken(t *testing.T) {
	a, base := newAPI(t, `{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}`, `{"errcode":0,"errmsg":"ok"}`)
	s := newSender(t, base)
	if _, err := s.Send(context.Background(), delivery("hi")); err != nil {
		t.Fatal(err)
	}
	if a.tokenCalls != 2 || len(a.sent) != 2 || a.usedTokens[1] != "TOKEN-2" {
		t.Errorf("%d token fetches, %d sends, tokens %v", a.tokenCalls, len(a.sent), a.usedTokens)
	}
}

func TestSenderClassifiesFailures(t *testing.T) {
	cases := []struct {
		name      string
		answer    string
		permanent bool
	}{
		{"reply window closed", `{"errcode":45015,"errmsg":"response out of time limit or subscription is canceled"}`, true},
		{"unfollowed", `{"errcode":43004,"errmsg":"require subscribe"}`, true},
		{"system busy", `{"errcode":-1,"errmsg":"system error"}`, false},
		{"not JSON", `<html>`, false},
	}
	for _, tc := range cases {
		_, base := newAPI(t, tc.answer)
		_, err := newSender(t, base).Send(context.Background(), delivery("hi"))
		if err == nil || outbound.IsPermanent(err) != tc.permanent {
			t.Errorf("%s: err = %v, want permanent=%t", tc.name, err, tc.permanent)
		}
		if err != nil && strings.Contains(err.Error(), "TOKEN-") {
			t.Errorf("%s: the error %q carries the access token", tc.name, err)
		}
	}
	s, _ := wechat.NewSender(wechat.SenderConfig{BaseURL: "http://127.0.0.1:1", AppID: "wxapp", AppSecret: "s3cret"})
	if _, err := s.Send(context.Background(), delivery("hi")); err == nil || outbound.IsPermanent(err) {
		t.Errorf("unreachable API: err = %v, want a retryable error", err)
	}
	if _, err := s.Send(context.Background(), delivery(strings.Repeat("字", 1000))); !outbound.IsPermanent(err) {
		t.Errorf("too long: err = %v, want permanent", err)
	}
	if _, err := wechat.NewSender(wechat.SenderConfig{BaseURL: "http://x", AppID: "wxapp"}); err == nil {
		t.Error("an app id without a secret was accepted")
	}
}

func TestSenderThroughATokenGateway(t *testing.T) {
	a, base := newAPI(t, `{"errcode":0,"errmsg":"ok"}`)
	s, err := wechat.NewSender(wechat.SenderConfig{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(context.Background(), delivery("hi")); err != nil {
		t.Fatal(err)
	}
	if a.tokenCalls != 0 || a.usedTokens[0] != "" {
		t.Errorf("without app credentials the sender fetched %d tokens / sent %q", a.tokenCalls, a.usedTokens[0])
	}
}
