package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/channels/wechat"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// providers stands in for the outside services replies go to: the SMS
// REST API, the WeChat API and the app's push webhook.
type providers struct {
	mu     sync.Mutex
	sms    []url.Values
	wechat []map[string]any
	pushes []app.Push
	srv    *httptest.Server
}

func newProviders(t *testing.T, pushSecret string) *providers {
	p := &providers{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sms/2010-04-01/Accounts/AC1/Messages.json", func(w http.ResponseWriter, r *http.Request) {
		if user, pass, _ := r.BasicAuth(); user != "AC1" || pass != "sms-token" {
			http.Error(w, `{"code":20003,"message":"Authenticate"}`, http.StatusUnauthorized)
			return
		}
		_ = r.ParseForm()
		p.mu.Lock()
		p.sms = append(p.sms, r.PostForm)
		n := len(p.sms)
		p.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid":"SMout%d","status":"queued"}`, n)
	})
	mux.HandleFunc("GET /wechat/cgi-bin/token", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"access_token":"AT","expires_in":7200}`)
	})
	mux.HandleFunc("POST /wechat/cgi-bin/message/custom/send", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		p.mu.Lock()
		p.wechat = append(p.wechat, m)
		p.mu.Unlock()
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	mux.HandleFunc("GET /wechat/cgi-bin/media/get", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != "AT" || r.URL.Query().Get("media_id") != testWeChatMediaID {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, `{"errcode":40007,"errmsg":"invalid media_id"}`)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(testWeChatPhoto)
	})
	mux.HandleFunc("POST /push", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get(app.SignatureHeader) != app.Sign([]byte(pushSecret), body) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		var push app.Push
		_ = json.Unmarshal(body, &push)
		p.mu.Lock()
		p.pushes = append(p.pushes, push)
		p.mu.Unlock()
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *providers) counts() (int, int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sms), len(p.wechat), len(p.pushes)
}

const (
	testAppServerKey       = "app-server-key-0123456789abcdef0123"
	testAppAssertionSecret = "app-assertion-secret-0123456789abcd"
	testAppPushSecret      = "app-push-secret-0123456789abcdef012"
	testAppIssuer          = "https://backend.shop.example.com"
	testSMSToken           = "sms-token"
	testWeChatToken        = "wechat-token"
	testWeChatMediaID      = "media-photo-1"
)

// testWeChatPhoto is the picture the WeChat stand-in serves for
// testWeChatMediaID: a PNG signature and bytes past one blob chunk.
var testWeChatPhoto = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("photo"), 30_000)...)

func channelsComponent(p *providers) *webChannelsComponent {
	return &webChannelsComponent{
		appServerKey: testAppServerKey, appAssertionSecret: testAppAssertionSecret, appIssuer: testAppIssuer,
		appPush: p.srv.URL + "/push", appPushSecret: testAppPushSecret,
		smsAuthToken: testSMSToken, smsAPI: p.srv.URL + "/sms/2010-04-01/Accounts/AC1", smsFrom: "+10005550100",
		wechatToken: testWeChatToken, wechatAPI: p.srv.URL + "/wechat", wechatAppID: "wx1", wechatSecret: "s",
	}
}

// serveChannels starts `ledger serve` in-process with the web channels
// and the outbound delivery of replies.
func serveChannels(t *testing.T, dir string, p *providers) (*server, string) {
	t.Helper()
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"}, channelsComponent(p), newOutboundComponent())
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.addr
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	return srv, base
}

func postTo(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// appMessage posts as the app does, with an identity assertion its
// backend issued for phone.
func appMessage(t *testing.T, base, id, phone, text string) app.Accepted {
	t.Helper()
	status, answer := postTo(t, appRequest(t, base, id, phone, text, appAssertion(t, phone)))
	var res app.Accepted
	if err := json.Unmarshal([]byte(answer), &res); err != nil || status != http.StatusOK {
		t.Fatalf("app: %d %s (%v)", status, answer, err)
	}
	return res
}

func appRequest(t *testing.T, base, id, phone, text, assertion string) *http.Request {
	t.Helper()
	body := fmt.Sprintf(`{"messageId": %q, "identity": {"kind": "PHONE", "value": %q}, "text": %q, "sentAt": "2026-01-02T03:04:05Z"}`, id, phone, text)
	req, _ := http.NewRequest(http.MethodPost, base+"/channels/app", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if assertion != "" {
		req.Header.Set(app.AssertionHeader, assertion)
	}
	return req
}

// appAssertion issues an assertion for phone as the company's backend does.
func appAssertion(t *testing.T, phone string) string {
	t.Helper()
	tok, err := app.SignAssertion([]byte(testAppAssertionSecret), testAppIssuer, "", domain.Identity{Kind: domain.IdentityPhone, Value: phone}, time.Now(), time.Now().Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func smsMessage(t *testing.T, base, sid, from, text string) {
	form := url.Values{"MessageSid": {sid}, "AccountSid": {"AC1"}, "From": {from}, "To": {"+10005550100"}, "Body": {text}}
	req, _ := http.NewRequest(http.MethodPost, base+"/channels/sms", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(sms.SignatureHeader, sms.Signature(testSMSToken, base+"/channels/sms", form))
	if status, answer := postTo(t, req); status != http.StatusOK {
		t.Fatalf("sms: %d %s", status, answer)
	}
}

func wechatMessage(t *testing.T, base, msgID, openid, text string) {
	wechatPush(t, base, msgID, fmt.Sprintf(`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%s</MsgId></xml>`, openid, time.Now().Unix(), text, msgID))
}

// wechatImage pushes an image message whose picture is mediaID.
func wechatImage(t *testing.T, base, msgID, openid, mediaID string) {
	wechatPush(t, base, msgID, fmt.Sprintf(`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[https://mmbiz.example/%s.jpg]]></PicUrl><MediaId><![CDATA[%s]]></MediaId><MsgId>%s</MsgId></xml>`, openid, time.Now().Unix(), mediaID, mediaID, msgID))
}

// wechatPush posts a signed push, as WeChat's servers do.
func wechatPush(t *testing.T, base, msgID, body string) {
	t.Helper()
	ts := fmt.Sprint(time.Now().Unix())
	q := url.Values{"signature": {wechat.Signature(testWeChatToken, ts, "n-"+msgID)}, "timestamp": {ts}, "nonce": {"n-" + msgID}}
	req, _ := http.NewRequest(http.MethodPost, base+"/channels/wechat?"+q.Encode(), strings.NewReader(body))
	if status, answer := postTo(t, req); status != http.StatusOK || answer != "success" {
		t.Fatalf("wechat: %d %s", status, answer)
	}
}

// interactionOn returns the single interaction of a channel.
func interactionOn(t *testing.T, srv *server, ch domain.Channel) string {
	t.Helper()
	page, err := srv.store.ReadAll(t.Context(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range page {
		if rec.Type != "InteractionStarted" {
			continue
		}
		e, _ := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
		if s := e.(domain.InteractionStarted); s.Channel == ch {
			return s.InteractionID
		}
	}
	t.Fatalf("no %s interaction", ch)
	return ""
}

func countEvents(t *testing.T, srv *server, typ string) int {
	t.Helper()
	page, err := srv.store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rec := range page {
		if rec.Type == typ {
			n++
		}
	}
	return n
}

func eventually(t *testing.T, what string, cond func() bool, state ...func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			for _, s := range state {
				what += "; " + s()
			}
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebChannelsEndToEnd drives `ledger serve` as the channels' peers
// would: the app, the SMS provider and WeChat post signed webhooks, a
// customer chats over a real WebSocket; agents reply on each, and the
// replies reach local stand-ins of the providers, the app's push webhook
// and the chat socket, each recorded as delivered, and never sent again
// after a restart.
func TestWebChannelsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	srv, base := serveChannels(t, dir, p)

	appMessage(t, base, "app-1", "+8613800000001", "app: where is my order?")
	smsMessage(t, base, "SMin1", "+8613800000002", "sms: where is my order?")
	wechatMessage(t, base, "24000000000000001", "oWeChatFan1", "wechat: 我的订单呢？")
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/channels/webchat", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readFrame := func(typ string) map[string]any {
		for {
			var f map[string]any
			_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			if err := ws.ReadJSON(&f); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if f["type"] == typ {
				return f
			}
		}
	}
	_ = ws.WriteJSON(map[string]any{"type": "hello", "visitorId": "v-e2e-0000000000000"})
	readFrame("welcome")
	_ = ws.WriteJSON(map[string]any{"type": "message", "id": "c-1", "text": "chat: where is my order?"})
	readFrame("ack")

	agent := commands.NewHandler(srv.store)
	reply := func(ch domain.Channel) {
		if _, err := agent.Interaction(t.Context(), interactionOn(t, srv, ch), commands.Meta{Actor: "agent:a1"},
			domain.SendMessage{MessageID: "reply-" + string(ch), AgentID: "a1", Text: "On its way (" + string(ch) + ")"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ch := range []domain.Channel{domain.ChannelApp, domain.ChannelSMS, domain.ChannelWeChat, domain.ChannelWebchat} {
		reply(ch)
	}
	if f := readFrame("message"); f["direction"] != "OUT" || f["text"] != "On its way (WEBCHAT)" {
		t.Fatalf("chat reply frame %v", f)
	}
	eventually(t, "four deliveries recorded", func() bool { return countEvents(t, srv, "MessageDelivered") == 4 })
	p.mu.Lock()
	if len(p.sms) != 1 || p.sms[0].Get("To") != "+8613800000002" || p.sms[0].Get("From") != "+10005550100" || p.sms[0].Get("Body") != "On its way (SMS)" {
		t.Errorf("SMS provider got %v", p.sms)
	}
	if len(p.wechat) != 1 || p.wechat[0]["touser"] != "oWeChatFan1" {
		t.Errorf("WeChat API got %v", p.wechat)
	}
	if len(p.pushes) != 1 || p.pushes[0].Identity.Value != "+8613800000001" || p.pushes[0].Text != "On its way (APP)" {
		t.Errorf("app push got %+v", p.pushes)
	}
	p.mu.Unlock()
	ws.Close()
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	// After a restart nothing is sent again; a new reply goes out once.
	srv, _ = serveChannels(t, dir, p)
	agent = commands.NewHandler(srv.store)
	reply2 := func() {
		if _, err := agent.Interaction(t.Context(), interactionOn(t, srv, domain.ChannelSMS), commands.Meta{Actor: "agent:a1"},
			domain.SendMessage{MessageID: "reply-2", AgentID: "a1", Text: "Delivered tomorrow"}); err != nil {
			t.Fatal(err)
		}
	}
	reply2()
	eventually(t, "the new reply delivered", func() bool { return countEvents(t, srv, "MessageDelivered") == 5 })
	if s, w, a := p.counts(); s != 2 || w != 1 || a != 1 {
		t.Errorf("after the restart providers got %d SMS, %d WeChat, %d pushes; want 2, 1, 1", s, w, a)
	}
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestCrossChannelCustomer: the same phone number writes by app and then
// by SMS: one customer, one timeline with both channels in order. The
// issue's full scenario (app, SMS, then a real call through `serve --sip`
// placed by sipp and answered by a sipp agent phone) is
// TestCrossChannelCustomerCalls in serve_sip_test.go; this one holds
// without sipp.
func TestCrossChannelCustomer(t *testing.T) {
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	srv, base := serveChannels(t, dir, p)
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	first := appMessage(t, base, "app-7", "138 0013 8000", "my parcel is late")
	smsMessage(t, base, "SMin7", "+86 138-0013-8000", "still waiting")
	eventually(t, "projections caught up", func() bool {
		head, _ := srv.store.HeadPosition(t.Context())
		return srv.runner.Position() >= head
	})
	page, err := srv.readDB.Timeline(t.Context(), first.CustomerID, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	var channels []domain.Channel
	for _, e := range slices.Backward(page.Entries) { // the page is newest first
		if e.Channel != "" && (len(channels) == 0 || channels[len(channels)-1] != e.Channel) {
			channels = append(channels, e.Channel)
		}
	}
	if !slices.Equal(channels, []domain.Channel{domain.ChannelApp, domain.ChannelSMS}) {
		t.Fatalf("timeline channels %v, want APP then SMS; entries %+v", channels, page.Entries)
	}
	if n := countEvents(t, srv, "CustomerRegistered"); n != 1 {
		t.Fatalf("%d customers registered, want 1", n)
	}
}

func TestWebChannelFlagsFromEnvironment(t *testing.T) {
	t.Setenv("LEDGER_APP_SERVER_KEY", "from-env")
	t.Setenv("LEDGER_WECHAT_TOKEN", "tok")
	c := &webChannelsComponent{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.addFlags(fs)
	if err := fs.Parse([]string{"--sms-api", "https://api.example.com/2010-04-01/Accounts/AC1", "--sms-from", "+1"}); err != nil {
		t.Fatal(err)
	}
	if c.appServerKey != "from-env" || c.wechatToken != "tok" || c.smsAPI == "" || c.smsFrom != "+1" {
		t.Fatalf("flags %+v", c)
	}
	for _, name := range []string{"app-server-key", "app-assertion-secret", "app-assertion-issuer", "app-assertion-audience", "app-push", "app-push-secret", "webchat-visitor-key", "sms-auth-token", "sms-api", "wechat-token", "wechat-api"} {
		if f := fs.Lookup(name); f == nil || !strings.Contains(f.Usage, "LEDGER_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))) {
			t.Errorf("flag --%s missing or without its environment variable", name)
		}
	}
	bad := &webChannelsComponent{smsAPI: "https://api.example.com"} // no --sms-from
	if _, err := bad.senders(nil); err == nil {
		t.Error("--sms-api without --sms-from was accepted")
	}
}

// TestAppChannelTrust drives `ledger serve`: an app post claiming another
// customer's phone is refused unless its backend asserted that phone, and
// nothing is appended; the server key posts for anyone.
func TestAppChannelTrust(t *testing.T) {
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	srv, base := serveChannels(t, dir, p)
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	const victim = "+8613900000009"
	for name, tok := range map[string]string{
		"no assertion":        "",
		"attacker's own":      appAssertion(t, "+8613800000001"),
		"signed with the key": mustAppSign(t, testAppServerKey, testAppIssuer, victim),
		"another issuer":      mustAppSign(t, testAppAssertionSecret, "https://evil.example.net", victim),
	} {
		if status, answer := postTo(t, appRequest(t, base, "app-evil", victim, "cancel my orders", tok)); status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("%s: %d %s", name, status, answer)
		}
	}
	if head, _ := srv.store.HeadPosition(t.Context()); head != 0 {
		t.Fatalf("refused posts appended up to position %d", head)
	}
	appMessage(t, base, "app-ok", victim, "where is my order?")
	req := appRequest(t, base, "app-backend", "+8613900000010", "from the backend", "")
	req.Header.Set(app.KeyHeader, testAppServerKey)
	if status, answer := postTo(t, req); status != http.StatusOK {
		t.Fatalf("server key: %d %s", status, answer)
	}
	if n := countEvents(t, srv, "MessageReceived"); n != 2 {
		t.Fatalf("%d messages recorded, want 2", n)
	}
}

func mustAppSign(t *testing.T, secret, issuer, phone string) string {
	t.Helper()
	tok, err := app.SignAssertion([]byte(secret), issuer, "", domain.Identity{Kind: domain.IdentityPhone, Value: phone}, time.Now(), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestAppFlagsRefuseSharedSecrets: the removed --app-key, a push secret
// shared with an inbound secret, short secrets and assertions without an
// issuer stop `ledger serve` from starting.
func TestAppFlagsRefuseSharedSecrets(t *testing.T) {
	long := strings.Repeat("s", 32)
	cases := map[string]*webChannelsComponent{
		"--app-key":                   {appKey: long},
		"push secret = server key":    {appServerKey: long, appPushSecret: long},
		"push secret = assertion":     {appAssertionSecret: long, appIssuer: "i", appPushSecret: long},
		"server key = assertion":      {appAssertionSecret: long, appIssuer: "i", appServerKey: long},
		"short server key":            {appServerKey: "short"},
		"short assertion secret":      {appAssertionSecret: "short", appIssuer: "i"},
		"assertion without an issuer": {appAssertionSecret: long},
	}
	for name, c := range cases {
		if _, err := c.appHandler(nil, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := (&webChannelsComponent{appPush: "http://x", appPushSecret: "short"}).senders(nil); err == nil {
		t.Error("a short push secret was accepted")
	}
	if _, err := (&webChannelsComponent{appServerKey: long, appPushSecret: long + "x"}).appHandler(nil, nil); err != nil {
		t.Errorf("distinct secrets refused: %v", err)
	}
}
