package sms_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/domain"
)

// provider is a local stand-in for the SMS provider's REST API.
type provider struct {
	mu       sync.Mutex
	requests []capturedRequest
	answer   func(w http.ResponseWriter)
}

type capturedRequest struct {
	path, user, pass, idempotency string
	form                          url.Values
}

func newProvider(t *testing.T, answer func(w http.ResponseWriter)) (*provider, string) {
	p := &provider{answer: answer}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		user, pass, _ := r.BasicAuth()
		p.mu.Lock()
		p.requests = append(p.requests, capturedRequest{path: r.URL.Path, user: user, pass: pass, idempotency: r.Header.Get("Idempotency-Key"), form: form})
		p.mu.Unlock()
		p.answer(w)
	}))
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func reply(to domain.Identity, text string) outbound.Delivery {
	return outbound.Delivery{SourceEventID: "0190a0b0-0000-7000-8000-000000000001", Channel: domain.ChannelSMS, To: to, Text: text, Attempt: 1}
}

var customer = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000001"}

func TestSenderPostsTheReply(t *testing.T) {
	p, base := newProvider(t, func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid":"SM99","status":"queued"}`)
	})
	cases := []struct {
		name, baseURL, from string
		wantFromField       string
		wantUser, wantPass  string
	}{
		{"account in the path", base + "/2010-04-01/Accounts/AC123", "+10005550100", "From", "AC123", "secret"},
		{"messaging service", base + "/2010-04-01/Accounts/AC123/", "MG42", "MessagingServiceSid", "AC123", "secret"},
		{"credentials in the URL", strings.Replace(base, "http://", "http://key:pw@", 1) + "/v1", "+10005550100", "From", "key", "pw"},
	}
	for _, tc := range cases {
		s, err := sms.NewSender(sms.SenderConfig{BaseURL: tc.baseURL, AuthToken: "secret", From: tc.from})
		if err != nil {
			t.Fatal(err)
		}
		receipt, err := s.Send(context.Background(), reply(customer, "您好，已为您查询"))
		if err != nil || receipt.ProviderMessageID != "SM99" || receipt.Detail != "queued" {
			t.Fatalf("%s: receipt %+v, %v", tc.name, receipt, err)
		}
		got := p.requests[len(p.requests)-1]
		if !strings.HasSuffix(got.path, "/Messages.json") || strings.Contains(got.path, "//") {
			t.Errorf("%s: posted to %s", tc.name, got.path)
		}
		if got.user != tc.wantUser || got.pass != tc.wantPass {
			t.Errorf("%s: basic auth %s:%s", tc.name, got.user, got.pass)
		}
		if got.form.Get("To") != customer.Value || got.form.Get("Body") != "您好，已为您查询" || got.form.Get(tc.wantFromField) != tc.from {
			t.Errorf("%s: form %v", tc.name, got.form)
		}
		if got.idempotency == "" {
			t.Errorf("%s: no idempotency key", tc.name)
		}
	}
}

func TestSenderClassifiesFailures(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		body       string
		retryAfter string
		permanent  bool
		wantAfter  time.Duration
		errHas     string
	}{
		{"invalid number", 400, `{"code":21211,"message":"The 'To' number is not a valid phone number."}`, "", true, 0, "21211"},
		{"unauthorised", 401, `{"code":20003,"message":"Authenticate"}`, "", true, 0, "20003"},
		{"rate limited", 429, `{"code":20429,"message":"Too Many Requests"}`, "7", false, 7 * time.Second, "429"},
		{"provider down", 503, `<html>down</html>`, "", false, 0, "503"},
	}
	for _, tc := range cases {
		_, base := newProvider(t, func(w http.ResponseWriter) {
			if tc.retryAfter != "" {
				w.Header().Set("Retry-After", tc.retryAfter)
			}
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		})
		s, err := sms.NewSender(sms.SenderConfig{BaseURL: base + "/2010-04-01/Accounts/AC1", AuthToken: "t", From: "+1"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Send(context.Background(), reply(customer, "hi"))
		if err == nil || outbound.IsPermanent(err) != tc.permanent || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: err = %v (permanent %t), want permanent=%t mentioning %q", tc.name, err, outbound.IsPermanent(err), tc.permanent, tc.errHas)
		}
		var later *outbound.RetryAfterError
		if tc.wantAfter != 0 && (!errors.As(err, &later) || later.After != tc.wantAfter) {
			t.Errorf("%s: err %v does not ask to wait %v", tc.name, err, tc.wantAfter)
		}
	}
}

func TestSenderRefusesWhatCannotBeSent(t *testing.T) {
	s, err := sms.NewSender(sms.SenderConfig{BaseURL: "http://127.0.0.1:1/2010-04-01/Accounts/AC1", AuthToken: "t", From: "+1"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		d         outbound.Delivery
		permanent bool
	}{
		{"not a phone", reply(domain.Identity{Kind: domain.IdentityWeChat, Value: "o1"}, "hi"), true},
		{"too long", reply(customer, strings.Repeat("字", sms.MaxReplyChars+1)), true},
		{"provider unreachable", reply(customer, "hi"), false},
	}
	for _, tc := range cases {
		_, err := s.Send(context.Background(), tc.d)
		if err == nil || outbound.IsPermanent(err) != tc.permanent {
			t.Errorf("%s: err = %v, want permanent=%t", tc.name, err, tc.permanent)
		}
	}
	for _, bad := range []sms.SenderConfig{{BaseURL: "ftp://x", From: "+1"}, {BaseURL: "http://x"}} {
		if _, err := sms.NewSender(bad); err == nil {
			t.Errorf("NewSender(%+v) accepted", bad)
		}
	}
}
