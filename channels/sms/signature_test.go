package sms

import (
	"net/url"
	"testing"
)

// The worked example of the provider's security documentation: token
// 12345, this URL and these parameters sign to this value.
var (
	docToken  = "12345"
	docURL    = "https://mycompany.com/myapp.php?foo=1&bar=2"
	docParams = url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"},
	}
	docSignature = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
)

func TestSignatureMatchesTheProvidersExample(t *testing.T) {
	if got := Signature(docToken, docURL, docParams); got != docSignature {
		t.Fatalf("Signature = %s, want %s", got, docSignature)
	}
}

func TestValidSignature(t *testing.T) {
	tampered := url.Values{}
	for k, v := range docParams {
		tampered[k] = v
	}
	tampered.Set("Digits", "9999")
	extra := url.Values{"Body": {"x"}}
	for k, v := range docParams {
		extra[k] = v
	}
	withPort := "https://mycompany.com:443/myapp.php?foo=1&bar=2"
	cases := []struct {
		name      string
		token     string
		signature string
		url       string
		params    url.Values
		want      bool
	}{
		{"the example", docToken, docSignature, docURL, docParams, true},
		{"default port added by a proxy", docToken, docSignature, withPort, docParams, true},
		{"signed with the port, checked without", docToken, Signature(docToken, withPort, docParams), docURL, docParams, true},
		{"another port is another URL", docToken, docSignature, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", docParams, false},
		{"tampered parameter", docToken, docSignature, docURL, tampered, false},
		{"added parameter", docToken, docSignature, docURL, extra, false},
		{"other query", docToken, docSignature, "https://mycompany.com/myapp.php?foo=1&bar=3", docParams, false},
		{"other scheme", docToken, docSignature, "http://mycompany.com/myapp.php?foo=1&bar=2", docParams, false},
		{"other token", "54321", docSignature, docURL, docParams, false},
		{"no signature", docToken, "", docURL, docParams, false},
		{"truncated signature", docToken, docSignature[:len(docSignature)-1], docURL, docParams, false},
	}
	for _, tc := range cases {
		if got := ValidSignature(tc.token, tc.signature, tc.url, tc.params); got != tc.want {
			t.Errorf("%s: ValidSignature = %t, want %t", tc.name, got, tc.want)
		}
	}
}

func TestSignatureSortsRepeatedValues(t *testing.T) {
	a := Signature("t", "https://x/y", url.Values{"K": {"b", "a"}})
	b := Signature("t", "https://x/y", url.Values{"K": {"a", "b"}})
	if a != b {
		t.Error("the order of a repeated parameter's values changed the signature")
	}
}
