package pii

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

var secrets = []string{"13912345678", "+86 139-1234-5678", "meimei@example.com", "Han Meimei", "courier never called"}

func TestRedact(t *testing.T) {
	for _, in := range []string{
		`caller "+8613912345678" is not a phone number`,
		`sender address "Han Meimei <meimei@example.com>": mail: no angle-addr`,
		`P-Asserted-Identity <sip:+8613912345678@gw.example>: bad`,
		"transmission beginning 'From: Han Meimei' is not a SIP message",
		"non provisional response received during CANCEL. resp=SIP/2.0 200 OK\r\nFrom: Han Meimei <sip:+86 139-1234-5678@h>\r\n\r\ncourier never called",
		`multipart: expecting a new Part; got line "courier never called"`,
		"The 'To' number +86 139-1234-5678 is not valid",
	} {
		out := Redact(in)
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("Redact(%q) = %q keeps %q", in, out, s)
			}
		}
	}
	for _, keep := range []string{
		"dial udp 192.168.100.200:5060: connection refused",
		"SMS provider answered 400 Bad Request: error 21211",
		"sip: listen tcp 127.0.0.1:5060: address already in use",
	} {
		if got := Redact(keep); got != keep {
			t.Errorf("Redact(%q) = %q, want it unchanged", keep, got)
		}
	}
}

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(slog.New(slog.NewTextHandler(&buf, nil))).With("err", errors.New(`caller "+8613912345678"`))
	log.Error("failed to parse", "data", "INVITE sip:x SIP/2.0\r\nFrom: Han Meimei <sip:+8613912345678@h>\r\n",
		"error", errors.New("field name with no value in header: \"Han Meimei\""), "call_id", "c-1")
	out := buf.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the log keeps %q: %s", s, out)
		}
	}
	if !strings.Contains(out, "call_id=c-1") || !strings.Contains(out, "bytes]") {
		t.Errorf("the log lost its references: %s", out)
	}
	if Digest("13912345678") != Digest("13912345678") || Digest("13912345678") == Digest("13912345679") {
		t.Error("Digest does not tell values apart consistently")
	}
}
