package esdbserver

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseBasic(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		header, user, password string
		ok                     bool
	}{
		{"Basic " + enc("admin:s3cret"), "admin", "s3cret", true},
		{"basic " + enc("admin:a:b"), "admin", "a:b", true},
		{"Basic " + enc(":nouser"), "", "", false},
		{"Basic " + enc("nocolon"), "", "", false},
		{"Bearer " + enc("admin:x"), "", "", false},
		{"Basic !!!", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range cases {
		u, p, ok := parseBasic(tc.header)
		if ok != tc.ok || (ok && (u != tc.user || p != tc.password)) {
			t.Errorf("parseBasic(%q) = %q, %q, %v; want %q, %q, %v", tc.header, u, p, ok, tc.user, tc.password, tc.ok)
		}
	}
}

func FuzzParseBasic(f *testing.F) {
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("admin:pw")))
	f.Add("Basic ")
	f.Add("basic Og==")
	f.Fuzz(func(t *testing.T, header string) {
		user, password, ok := parseBasic(header)
		if !ok {
			return
		}
		if user == "" || strings.Contains(user, ":") {
			t.Fatalf("parseBasic(%q) accepted user %q", header, user)
		}
		raw, _ := base64.StdEncoding.DecodeString(header[len("Basic "):])
		if string(raw) != user+":"+password {
			t.Fatalf("parseBasic(%q) = %q, %q; the header says %q", header, user, password, raw)
		}
	})
}
