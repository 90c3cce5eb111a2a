package email

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

func TestParseRelay(t *testing.T) {
	cases := []struct {
		in      string
		want    RelayConfig
		wantErr string
	}{
		{in: "127.0.0.1:2525", want: RelayConfig{Addr: "127.0.0.1:2525", Security: SecurityNone}},
		{in: "smtp://relay.internal", want: RelayConfig{Addr: "relay.internal:25", Security: SecurityNone}},
		{in: "smtp://user:pa%40ss@localhost:2525", want: RelayConfig{Addr: "localhost:2525", Security: SecurityNone, Username: "user", Password: "pa@ss"}},
		{in: "smtp+starttls://apikey:secret@smtp.example.com", want: RelayConfig{Addr: "smtp.example.com:587", Security: SecuritySTARTTLS, Username: "apikey", Password: "secret"}},
		{in: "smtps://u%40example.com:hunter2@smtp.example.com:2465", want: RelayConfig{Addr: "smtp.example.com:2465", Security: SecurityTLS, Username: "u@example.com", Password: "hunter2"}},
		{in: "SMTPS://[::1]", want: RelayConfig{Addr: "[::1]:465", Security: SecurityTLS}},
		{in: "", wantErr: "empty"},
		{in: "relay.example.com", wantErr: "host:port"},
		{in: "http://relay.example.com", wantErr: "unknown scheme"},
		{in: "smtp://", wantErr: "nothing else"},
		{in: "smtp://relay.example.com/path", wantErr: "nothing else"},
		{in: "smtp://relay.example.com?tls=no", wantErr: "nothing else"},
		{in: "smtp://user:secret@relay.example.com", wantErr: "in clear"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRelay(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseRelay = %+v, %v; want an error with %q", got, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRelay = %+v, %v; want %+v", got, err, tc.want)
			}
			if tc.want.Password != "" && strings.Contains(got.String(), tc.want.Password) {
				t.Errorf("String() %q shows the password", got.String())
			}
		})
	}
}

func TestSendErrClassification(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"5xx reply", &smtp.SMTPError{Code: 550, Message: "no such user"}, true},
		{"4xx reply", &smtp.SMTPError{Code: 451, Message: "try later"}, false},
		{"network", errors.New("connection reset"), false},
	}
	for _, tc := range cases {
		if got := IsPermanent(sendErr("rcpt", tc.err)); got != tc.permanent {
			t.Errorf("%s: IsPermanent = %v, want %v", tc.name, got, tc.permanent)
		}
	}
	if got := IsPermanent(tlsErr("starttls", errors.New("smtp: server doesn't support STARTTLS"))); !got {
		t.Error("a relay without STARTTLS is a permanent failure")
	}
}
