package wechat_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/wechat"
	"github.com/interactionledger/ledger/domain"
)

const token = "wechat-test-token"

var clock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func serve(t *testing.T, tok string) (*chantest.Ledger, string) {
	t.Helper()
	l := chantest.NewLedger(t)
	h := wechat.NewHandler(wechat.Config{Ledger: l.Handler, Token: tok, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return clock }})
	mux := http.NewServeMux()
	mux.Handle("/channels/wechat", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return l, srv.URL + "/channels/wechat"
}

// signedQuery is the query WeChat adds to every request.
func signedQuery(tok, nonce string, at time.Time) url.Values {
	ts := fmt.Sprint(at.Unix())
	return url.Values{"signature": {wechat.Signature(tok, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "openid": {"oUser1"}}
}

func do(t *testing.T, method, endpoint string, q url.Values, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, endpoint+"?"+q.Encode(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func textPush(openid, msgID, text string) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%s</MsgId></xml>`,
		openid, clock.Unix(), text, msgID)
}

func eventPush(openid, event string, at time.Time) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event></xml>`,
		openid, at.Unix(), event)
}

func TestServerVerification(t *testing.T) {
	_, endpoint := serve(t, token)
	q := signedQuery(token, "n1", clock)
	q.Set("echostr", "echo-4711")
	if status, body := do(t, http.MethodGet, endpoint, q, ""); status != http.StatusOK || body != "echo-4711" {
		t.Fatalf("verification: %d %q", status, body)
	}
	forged := signedQuery("other-token", "n1", clock)
	forged.Set("echostr", "echo-4711")
	if status, body := do(t, http.MethodGet, endpoint, forged, ""); status != http.StatusForbidden || strings.Contains(body, "echo-4711") {
		t.Fatalf("forged verification: %d %q", status, body)
	}
}

func TestMessagesAreRecordedOnce(t *testing.T) {
	l, endpoint := serve(t, token)
	q := signedQuery(token, "n1", clock)
	body := textPush("oUser1", "24000000000000001", "你好，我的快递到哪了？")
	if status, answer := do(t, http.MethodPost, endpoint, q, body); status != http.StatusOK || answer != "success" {
		t.Fatalf("push: %d %q", status, answer)
	}
	head := l.Head(t)
	// WeChat retries when it did not hear back within 5 s.
	if status, _ := do(t, http.MethodPost, endpoint, q, body); status != http.StatusOK {
		t.Fatalf("retry: %d", status)
	}
	if l.Head(t) != head {
		t.Fatal("the retry appended events")
	}
	msgs := chantest.Of[domain.MessageReceived](t, l)
	started := chantest.Of[domain.InteractionStarted](t, l)
	if len(msgs) != 1 || msgs[0].MessageID != "24000000000000001" || msgs[0].Text != "你好，我的快递到哪了？" || !msgs[0].SentAt.Equal(clock) {
		t.Fatalf("messages %+v", msgs)
	}
	if len(started) != 1 || started[0].Channel != domain.ChannelWeChat || started[0].Identity != (domain.Identity{Kind: domain.IdentityWeChat, Value: "oUser1"}) {
		t.Fatalf("interactions %+v", started)
	}
}

func TestRefusedPushesAppendNothing(t *testing.T) {
	l, endpoint := serve(t, token)
	good := textPush("oUser1", "1", "hi")
	signed := signedQuery(token, "n1", clock)
	// A first request under the "n1" signature, for the replay case below.
	if status, _ := do(t, http.MethodPost, endpoint, signedQuery(token, "n9", clock), eventPush("oUser1", "CLICK", clock)); status != http.StatusOK {
		t.Fatalf("menu click: %d", status)
	}
	if status, _ := do(t, http.MethodPost, endpoint, signed, good); status != http.StatusOK {
		t.Fatalf("first push: %d", status)
	}
	head := l.Head(t)
	aes := signedQuery(token, "n2", clock)
	aes.Set("encrypt_type", "aes")
	cases := []struct {
		name   string
		q      url.Values
		body   string
		status int
	}{
		{"forged signature", signedQuery("not-the-token", "n3", clock), textPush("oUser1", "2", "forged"), http.StatusForbidden},
		{"no signature", url.Values{"timestamp": {fmt.Sprint(clock.Unix())}, "nonce": {"n4"}}, textPush("oUser1", "3", "x"), http.StatusForbidden},
		{"stale timestamp", signedQuery(token, "n5", clock.Add(-time.Hour)), textPush("oUser1", "4", "x"), http.StatusForbidden},
		{"signature replayed with another body", signed, textPush("oUser1", "5", "forged under a captured signature"), http.StatusForbidden},
		{"encrypted mode", aes, textPush("oUser1", "6", "x"), http.StatusBadRequest},
		{"malformed XML", signedQuery(token, "n6", clock), "<xml><FromUserName>oUser1", http.StatusBadRequest},
		{"no MsgId", signedQuery(token, "n7", clock), strings.Replace(good, "<MsgId>1</MsgId>", "", 1), http.StatusBadRequest},
		{"bad openid", signedQuery(token, "n8", clock), textPush("o User!", "7", "x"), http.StatusBadRequest},
		{"too big", signedQuery(token, "n10", clock), textPush("oUser1", "8", strings.Repeat("x", wechat.DefaultMaxBodyBytes)), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		if status, body := do(t, http.MethodPost, endpoint, tc.q, tc.body); status != tc.status || strings.TrimSpace(body) == "" {
			t.Errorf("%s: %d %q, want %d with a reason", tc.name, status, body, tc.status)
		}
	}
	if l.Head(t) != head {
		t.Fatalf("refused pushes appended %d events", l.Head(t)-head)
	}
}

func TestRefusesEverythingWithoutToken(t *testing.T) {
	l, endpoint := serve(t, "")
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		q := signedQuery("", "n1", clock)
		q.Set("echostr", "e")
		if status, body := do(t, method, endpoint, q, textPush("oUser1", "1", "hi")); status != http.StatusServiceUnavailable || !strings.Contains(body, "no WeChat token") {
			t.Errorf("%s without a token: %d %q", method, status, body)
		}
	}
	if l.Head(t) != 0 {
		t.Fatal("appended without a token")
	}
}

func TestSubscribeAndUnsubscribe(t *testing.T) {
	l, endpoint := serve(t, token)
	steps := []struct {
		nonce string
		body  string
	}{
		{"s1", eventPush("oFan1", "subscribe", clock)},
		{"s1", eventPush("oFan1", "subscribe", clock)}, // retried
		{"s2", eventPush("oFan1", "unsubscribe", clock.Add(time.Minute))},
	}
	for _, s := range steps {
		if status, body := do(t, http.MethodPost, endpoint, signedQuery(token, s.nonce, clock), s.body); status != http.StatusOK || body != "success" {
			t.Fatalf("push: %d %q", status, body)
		}
	}
	subs := chantest.Of[domain.ChannelSubscribed](t, l)
	unsubs := chantest.Of[domain.ChannelUnsubscribed](t, l)
	customers := chantest.Of[domain.CustomerRegistered](t, l)
	if len(subs) != 1 || len(unsubs) != 1 || len(customers) != 1 {
		t.Fatalf("%d subscribed, %d unsubscribed, %d customers; want 1 each", len(subs), len(unsubs), len(customers))
	}
	if subs[0].CustomerID != customers[0].CustomerID || subs[0].Identity != (domain.Identity{Kind: domain.IdentityWeChat, Value: "oFan1"}) {
		t.Errorf("subscription %+v for customer %s", subs[0], customers[0].CustomerID)
	}
	if n := len(chantest.Of[domain.InteractionStarted](t, l)); n != 0 {
		t.Errorf("a follow opened %d interactions; it is not a conversation", n)
	}
}
