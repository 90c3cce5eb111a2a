package app_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
)

const (
	// serverKey is the company backend's key; assertionSecret signs its
	// users' assertions; pushSecret signs pushes. Each is 32+ bytes.
	serverKey       = "app-test-server-key-0123456789abcdef"
	assertionSecret = "app-test-assertion-secret-0123456789"
	pushSecret      = "app-test-push-secret-0123456789abcd"
	issuer          = "https://backend.shop.example.com"
)

var customer = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}

func serve(t *testing.T, tune ...func(*app.Config)) (*chantest.Ledger, string) {
	t.Helper()
	l := chantest.NewLedger(t)
	v, err := app.NewVerifier([]byte(assertionSecret), issuer, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{Receiver: l.Handler, Assertions: v, ServerKey: serverKey, Logger: slog.New(slog.DiscardHandler)}
	for _, f := range tune {
		f(&cfg)
	}
	h, err := app.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/channels/app", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return l, srv.URL + "/channels/app"
}

// assertion issues an assertion for id, valid for five minutes, as the
// company's backend does.
func assertion(t *testing.T, id domain.Identity) string {
	t.Helper()
	tok, err := app.SignAssertion([]byte(assertionSecret), issuer, "", id, time.Now(), time.Now().Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func post(t *testing.T, endpoint string, header map[string]string, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer %q is not JSON: %v", raw, err)
	}
	return resp.StatusCode, out
}

func byServer() map[string]string { return map[string]string{app.KeyHeader: serverKey} }

func asUser(token string) map[string]string { return map[string]string{app.AssertionHeader: token} }

const documented = `{"messageId": "m-1", "identity": {"kind": "PHONE", "value": "+8613800000000"}, "text": "我想修改收货地址", "sentAt": "2026-01-02T03:04:05Z"}`

func TestMessageIsRecordedOnce(t *testing.T) {
	l, endpoint := serve(t)
	user := asUser(assertion(t, customer))
	status, first := post(t, endpoint, user, "application/json", documented)
	if status != http.StatusOK || first["interactionId"] == "" || first["customerId"] == "" {
		t.Fatalf("%d %v", status, first)
	}
	head := l.Head(t)
	status, again := post(t, endpoint, user, "application/json; charset=utf-8", documented)
	if status != http.StatusOK || again["interactionId"] != first["interactionId"] || l.Head(t) != head {
		t.Fatalf("retry: %d %v, head %d -> %d", status, again, head, l.Head(t))
	}
	msgs := chantest.Of[domain.MessageReceived](t, l)
	started := chantest.Of[domain.InteractionStarted](t, l)
	if len(msgs) != 1 || msgs[0].MessageID != "m-1" || msgs[0].Text != "我想修改收货地址" || msgs[0].SentAt.Format("2006-01-02T15:04:05Z07:00") != "2026-01-02T03:04:05Z" {
		t.Fatalf("messages %+v", msgs)
	}
	if len(started) != 1 || started[0].Channel != domain.ChannelApp || started[0].Identity.Value != "+8613800000000" {
		t.Fatalf("interactions %+v", started)
	}
}

// TestAppPostsOnlyAsTheAssertedCustomer: an app user posting as another
// customer's phone is refused, whatever they send instead of a valid
// assertion for that phone, and nothing is appended; the server key of the
// company's backend may name anyone.
func TestAppPostsOnlyAsTheAssertedCustomer(t *testing.T) {
	victim := `{"messageId": "m-9", "identity": {"kind": "PHONE", "value": "+8613900000009"}, "text": "cancel all my orders"}`
	victimID := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900000009"}
	now := time.Now()
	sign := func(secret, iss, aud string, id domain.Identity, issued, exp time.Time) string {
		tok, err := app.SignAssertion([]byte(secret), iss, aud, id, issued, exp)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	cases := []struct {
		name   string
		header map[string]string
		status int
	}{
		{"no assertion", nil, http.StatusUnauthorized},
		{"the old shared app key", map[string]string{app.KeyHeader: "app-test-key"}, http.StatusUnauthorized},
		{"an assertion for the attacker's own phone", asUser(assertion(t, customer)), http.StatusForbidden},
		{"an assertion for another kind", asUser(assertion(t, domain.Identity{Kind: domain.IdentityAccount, Value: "+8613900000009"})), http.StatusForbidden},
		{"forged", asUser(sign("guessed-secret-guessed-secret-0000", issuer, "", victimID, now, now.Add(time.Minute))), http.StatusUnauthorized},
		{"expired", asUser(sign(assertionSecret, issuer, "", victimID, now.Add(-2*time.Hour), now.Add(-time.Hour))), http.StatusUnauthorized},
		{"another issuer", asUser(sign(assertionSecret, "https://evil.example.net", "", victimID, now, now.Add(time.Minute))), http.StatusUnauthorized},
		{"another audience", asUser(sign(assertionSecret, issuer, "some-other-service", victimID, now, now.Add(time.Minute))), http.StatusUnauthorized},
		{"good for a month", asUser(sign(assertionSecret, issuer, "", victimID, now, now.Add(30*24*time.Hour))), http.StatusUnauthorized},
		{"issued in the future", asUser(sign(assertionSecret, issuer, "", victimID, now.Add(time.Hour), now.Add(2*time.Hour))), http.StatusUnauthorized},
		{"unsigned", asUser("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJraW5kIjoiUEhPTkUiLCJzdWIiOiIrODYxMzkwMDAwMDAwOSJ9."), http.StatusUnauthorized},
		{"garbage", asUser("not.a.jwt"), http.StatusUnauthorized},
	}
	l, endpoint := serve(t)
	for _, tc := range cases {
		status, answer := post(t, endpoint, tc.header, "application/json", victim)
		e, _ := answer["error"].(map[string]any)
		if status != tc.status || e["code"] != domain.EFORBIDDEN || e["message"] == "" {
			t.Errorf("%s: %d %v, want %d", tc.name, status, answer, tc.status)
		}
	}
	if h := l.Head(t); h != 0 {
		t.Fatalf("refused posts appended %d events", h)
	}

	// A valid assertion for the phone, written the way the customer typed it.
	typed := domain.Identity{Kind: domain.IdentityPhone, Value: "+86 139-0000-0009"}
	if status, answer := post(t, endpoint, asUser(assertion(t, typed)), "application/json", victim); status != http.StatusOK {
		t.Fatalf("valid assertion: %d %v", status, answer)
	}
	// The company's backend, server to server, for anyone.
	other := strings.ReplaceAll(strings.ReplaceAll(victim, "m-9", "m-10"), "9000000009", "9000000010")
	if status, answer := post(t, endpoint, byServer(), "application/json", other); status != http.StatusOK {
		t.Fatalf("server key: %d %v", status, answer)
	}
	if msgs := chantest.Of[domain.MessageReceived](t, l); len(msgs) != 2 {
		t.Fatalf("messages %+v", msgs)
	}
}

func TestRefusedRequestsAppendNothing(t *testing.T) {
	l, endpoint := serve(t)
	cases := []struct {
		name        string
		header      map[string]string
		contentType string
		body        string
		status      int
		code        string
	}{
		{"no credentials", nil, "application/json", documented, http.StatusUnauthorized, domain.EFORBIDDEN},
		{"wrong server key", map[string]string{app.KeyHeader: serverKey[:len(serverKey)-1] + "x"}, "application/json", documented, http.StatusUnauthorized, domain.EFORBIDDEN},
		{"not JSON", byServer(), "text/plain", documented, http.StatusUnsupportedMediaType, domain.EINVALID},
		{"malformed", byServer(), "application/json", `{"messageId": "m-2",`, http.StatusBadRequest, domain.EINVALID},
		{"bad phone", byServer(), "application/json", `{"messageId":"m-3","identity":{"kind":"PHONE","value":"call me"},"text":"x"}`, http.StatusBadRequest, domain.EINVALID},
		{"bad phone, asserted", asUser(assertion(t, customer)), "application/json", `{"messageId":"m-3","identity":{"kind":"PHONE","value":"call me"},"text":"x"}`, http.StatusBadRequest, domain.EINVALID},
		{"message too long", byServer(), "application/json", `{"messageId":"m-4","identity":{"kind":"PHONE","value":"+8613800000000"},"text":"` + strings.Repeat("x", domain.MaxMessageBytes+1) + `"}`, http.StatusBadRequest, domain.EINVALID},
		{"body too big", byServer(), "application/json", `{"messageId":"m-5","identity":{"kind":"PHONE","value":"+8613800000000"},"text":"` + strings.Repeat("x", app.DefaultMaxBodyBytes) + `"}`, http.StatusRequestEntityTooLarge, domain.EINVALID},
	}
	for _, tc := range cases {
		status, answer := post(t, endpoint, tc.header, tc.contentType, tc.body)
		e, _ := answer["error"].(map[string]any)
		if status != tc.status || e["code"] != tc.code || e["message"] == "" {
			t.Errorf("%s: %d %v, want %d with code %s", tc.name, status, answer, tc.status, tc.code)
		}
	}
	if l.Head(t) != 0 {
		t.Fatalf("refused requests appended %d events", l.Head(t))
	}
}

func TestRefusesEverythingWithoutCredentialsConfigured(t *testing.T) {
	l, endpoint := serve(t, func(c *app.Config) { c.Assertions, c.ServerKey = nil, "" })
	for _, h := range []map[string]string{nil, byServer(), asUser(assertion(t, customer))} {
		if status, answer := post(t, endpoint, h, "application/json", documented); status != http.StatusServiceUnavailable {
			t.Errorf("%v: %d %v", h, status, answer)
		}
	}
	if l.Head(t) != 0 {
		t.Fatal("appended without configured credentials")
	}
}

// TestEachWayInIsOnlyOpenWhenConfigured: without a server key the key
// header opens nothing; without assertions no assertion does.
func TestEachWayInIsOnlyOpenWhenConfigured(t *testing.T) {
	l, endpoint := serve(t, func(c *app.Config) { c.ServerKey = "" })
	if status, answer := post(t, endpoint, byServer(), "application/json", documented); status != http.StatusUnauthorized {
		t.Errorf("server key without one configured: %d %v", status, answer)
	}
	l2, endpoint2 := serve(t, func(c *app.Config) { c.Assertions = nil })
	if status, answer := post(t, endpoint2, asUser(assertion(t, customer)), "application/json", documented); status != http.StatusUnauthorized {
		t.Errorf("assertion without a secret configured: %d %v", status, answer)
	}
	if l.Head(t) != 0 || l2.Head(t) != 0 {
		t.Fatal("appended")
	}
}

func TestShortSecretsAreRefused(t *testing.T) {
	short := strings.Repeat("k", app.MinSecretBytes-1)
	if _, err := app.NewHandler(app.Config{ServerKey: short}); err == nil {
		t.Error("a short server key was accepted")
	}
	if _, err := app.NewVerifier([]byte(short), issuer, ""); err == nil {
		t.Error("a short assertion secret was accepted")
	}
	if _, err := app.NewVerifier([]byte(assertionSecret), "", ""); err == nil {
		t.Error("assertions without an issuer were accepted")
	}
	if _, err := app.NewPusher("http://x", short, nil); err == nil {
		t.Error("a short push secret was accepted")
	}
}
