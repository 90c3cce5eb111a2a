package app_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/channels/app"
	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
)

const key = "app-test-key"

func serve(t *testing.T, appKey string) (*chantest.Ledger, string) {
	t.Helper()
	l := chantest.NewLedger(t)
	mux := http.NewServeMux()
	mux.Handle("/channels/app", app.NewHandler(app.Config{Receiver: l.Handler, Key: appKey, Logger: slog.New(slog.DiscardHandler)}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return l, srv.URL + "/channels/app"
}

func post(t *testing.T, endpoint, apiKey, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if apiKey != "" {
		req.Header.Set(app.KeyHeader, apiKey)
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

const documented = `{"messageId": "m-1", "identity": {"kind": "PHONE", "value": "+8613800000000"}, "text": "我想修改收货地址", "sentAt": "2026-01-02T03:04:05Z"}`

func TestMessageIsRecordedOnce(t *testing.T) {
	l, endpoint := serve(t, key)
	status, first := post(t, endpoint, key, "application/json", documented)
	if status != http.StatusOK || first["interactionId"] == "" || first["customerId"] == "" {
		t.Fatalf("%d %v", status, first)
	}
	head := l.Head(t)
	status, again := post(t, endpoint, key, "application/json; charset=utf-8", documented)
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

func TestRefusedRequestsAppendNothing(t *testing.T) {
	l, endpoint := serve(t, key)
	cases := []struct {
		name, key, contentType, body string
		status                       int
		code                         string
	}{
		{"no key", "", "application/json", documented, http.StatusUnauthorized, domain.EFORBIDDEN},
		{"wrong key", "app-test-kez", "application/json", documented, http.StatusUnauthorized, domain.EFORBIDDEN},
		{"not JSON", key, "text/plain", documented, http.StatusUnsupportedMediaType, domain.EINVALID},
		{"malformed", key, "application/json", `{"messageId": "m-2",`, http.StatusBadRequest, domain.EINVALID},
		{"bad phone", key, "application/json", `{"messageId":"m-3","identity":{"kind":"PHONE","value":"call me"},"text":"x"}`, http.StatusBadRequest, domain.EINVALID},
		{"message too long", key, "application/json", `{"messageId":"m-4","identity":{"kind":"PHONE","value":"+8613800000000"},"text":"` + strings.Repeat("x", domain.MaxMessageBytes+1) + `"}`, http.StatusBadRequest, domain.EINVALID},
		{"body too big", key, "application/json", `{"messageId":"m-5","identity":{"kind":"PHONE","value":"+8613800000000"},"text":"` + strings.Repeat("x", app.DefaultMaxBodyBytes) + `"}`, http.StatusRequestEntityTooLarge, domain.EINVALID},
	}
	for _, tc := range cases {
		status, answer := post(t, endpoint, tc.key, tc.contentType, tc.body)
		e, _ := answer["error"].(map[string]any)
		if status != tc.status || e["code"] != tc.code || e["message"] == "" {
			t.Errorf("%s: %d %v, want %d with code %s", tc.name, status, answer, tc.status, tc.code)
		}
	}
	if l.Head(t) != 0 {
		t.Fatalf("refused requests appended %d events", l.Head(t))
	}
}

func TestRefusesEverythingWithoutKey(t *testing.T) {
	l, endpoint := serve(t, "")
	for _, k := range []string{"", "anything"} {
		if status, answer := post(t, endpoint, k, "application/json", documented); status != http.StatusServiceUnavailable {
			t.Errorf("key %q: %d %v", k, status, answer)
		}
	}
	if l.Head(t) != 0 {
		t.Fatal("appended without a configured key")
	}
}
