package sms_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/domain"
)

const token = "test-auth-token"

// serve runs the webhook on a real HTTP server, as the provider would
// reach it.
func serve(t *testing.T, authToken string) (*chantest.Ledger, string) {
	return serveConfig(t, sms.Config{AuthToken: authToken})
}

// serveConfig runs the webhook configured by cfg (its receiver the test
// ledger).
func serveConfig(t *testing.T, cfg sms.Config) (*chantest.Ledger, string) {
	t.Helper()
	l := chantest.NewLedger(t)
	mux := http.NewServeMux()
	cfg.Receiver, cfg.Logger = l.Handler, slog.New(slog.DiscardHandler)
	mux.Handle("POST /channels/sms", sms.NewWebhook(cfg))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return l, srv.URL + "/channels/sms"
}

type post struct {
	form        url.Values
	signWith    string // token to sign with; "" sends no signature
	signURL     string // URL to sign; "" means the URL posted to
	contentType string
	headers     map[string]string
	rawBody     string // instead of form
}

func (p post) do(t *testing.T, endpoint string) (int, string) {
	t.Helper()
	body := p.form.Encode()
	if p.rawBody != "" {
		body = p.rawBody
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ct := p.contentType
	if ct == "" {
		ct = "application/x-www-form-urlencoded"
	}
	req.Header.Set("Content-Type", ct)
	if p.signWith != "" {
		signURL := p.signURL
		if signURL == "" {
			signURL = endpoint
		}
		req.Header.Set(sms.SignatureHeader, sms.Signature(p.signWith, signURL, p.form))
	}
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func message(sid, from, body string) url.Values {
	return url.Values{"MessageSid": {sid}, "AccountSid": {"AC1"}, "From": {from}, "To": {"+10005550100"}, "Body": {body}, "NumMedia": {"0"}}
}

func TestSignedMessageIsRecordedOnce(t *testing.T) {
	l, endpoint := serve(t, token)
	p := post{form: message("SM1", "+86 138 0000 0001", "我的订单在哪里？"), signWith: token}
	status, body := p.do(t, endpoint)
	if status != http.StatusOK || !strings.Contains(body, "<Response>") {
		t.Fatalf("status %d, body %q", status, body)
	}
	head := l.Head(t)
	// The provider retries: nothing new.
	if status, _ := p.do(t, endpoint); status != http.StatusOK {
		t.Fatalf("retry: status %d", status)
	}
	if l.Head(t) != head {
		t.Fatalf("the retry appended events (head %d -> %d)", head, l.Head(t))
	}
	got := chantest.Of[domain.MessageReceived](t, l)
	started := chantest.Of[domain.InteractionStarted](t, l)
	if len(got) != 1 || got[0].MessageID != "SM1" || got[0].Text != "我的订单在哪里？" {
		t.Fatalf("messages %+v", got)
	}
	if len(started) != 1 || started[0].Channel != domain.ChannelSMS || started[0].Identity != (domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000001"}) {
		t.Fatalf("interaction %+v", started)
	}
}

func TestRefusedRequestsAppendNothing(t *testing.T) {
	l, endpoint := serve(t, token)
	good := message("SM2", "+8613800000001", "hi")
	cases := []struct {
		name   string
		post   post
		status int
	}{
		{"forged signature", post{form: good, signWith: "not-the-token"}, http.StatusForbidden},
		{"no signature", post{form: good}, http.StatusForbidden},
		{"signed for another URL", post{form: good, signWith: token, signURL: "https://elsewhere.example/channels/sms"}, http.StatusForbidden},
		{"body changed after signing", post{form: good, signWith: token, rawBody: message("SM2", "+8613800000001", "changed").Encode()}, http.StatusForbidden},
		{"not a form", post{form: good, signWith: token, contentType: "application/json"}, http.StatusUnsupportedMediaType},
		{"too big", post{form: message("SM3", "+8613800000001", strings.Repeat("x", sms.DefaultMaxBodyBytes)), signWith: token}, http.StatusRequestEntityTooLarge},
		{"no MessageSid", post{form: url.Values{"From": {"+8613800000001"}, "Body": {"x"}}, signWith: token}, http.StatusBadRequest},
		{"not a phone number", post{form: message("SM4", "whatsapp:+8613800000001", "x"), signWith: token}, http.StatusBadRequest},
		{"not UTF-8", post{form: message("SM5", "+8613800000001", "\xff\xfe"), signWith: token}, http.StatusBadRequest},
		{"empty message", post{form: message("SM6", "+8613800000001", " "), signWith: token}, http.StatusBadRequest},
	}
	for _, tc := range cases {
		status, body := tc.post.do(t, endpoint)
		if status != tc.status || strings.TrimSpace(body) == "" {
			t.Errorf("%s: status %d (%q), want %d with a reason", tc.name, status, body, tc.status)
		}
	}
	if head := l.Head(t); head != 0 {
		t.Fatalf("refused requests appended %d events", head)
	}
}

func TestSignatureBehindATLSProxy(t *testing.T) {
	l, endpoint := serve(t, token)
	u, _ := url.Parse(endpoint)
	public := "https://contact.example.com/channels/sms"
	p := post{form: message("SM7", "+8613800000001", "via the proxy"), signWith: token, signURL: public,
		headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "contact.example.com"}}
	if status, body := p.do(t, u.String()); status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if n := len(chantest.Of[domain.MessageReceived](t, l)); n != 1 {
		t.Fatalf("%d messages recorded", n)
	}
}

// TestDisabledWithoutToken: with no auth token the endpoint fails closed,
// signed or not, and records nothing.
func TestDisabledWithoutToken(t *testing.T) {
	l, endpoint := serve(t, "")
	for _, p := range []post{{form: message("SM8", "+8613800000001", "no token")}, {form: message("SM9", "+8613800000001", "signed"), signWith: token}} {
		if status, body := p.do(t, endpoint); status != http.StatusServiceUnavailable || !strings.Contains(body, "disabled") {
			t.Fatalf("status %d: %s; want 503, disabled", status, body)
		}
	}
	if n := len(chantest.Of[domain.MessageReceived](t, l)); n != 0 {
		t.Fatalf("%d messages recorded", n)
	}
}

// TestUnsignedAcceptedWhenInsecure: made insecure on purpose, the
// endpoint takes unsigned posts.
func TestUnsignedAcceptedWhenInsecure(t *testing.T) {
	l, endpoint := serveConfig(t, sms.Config{Insecure: true})
	if status, body := (post{form: message("SM8", "+8613800000001", "no token")}).do(t, endpoint); status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if n := len(chantest.Of[domain.MessageReceived](t, l)); n != 1 {
		t.Fatalf("%d messages recorded", n)
	}
}
