package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// SignatureHeader carries the provider's request signature.
const SignatureHeader = "X-Twilio-Signature"

// Signature returns the request signature for a POST of params to
// fullURL: base64(HMAC-SHA1(token, fullURL + name1 + value1 + name2 + ...))
// with parameters sorted by name (and a repeated name's values sorted).
func Signature(token, fullURL string, params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(fullURL))
	for _, name := range names {
		values := append([]string(nil), params[name]...)
		sort.Strings(values)
		for _, v := range values {
			mac.Write([]byte(name))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidSignature reports whether signature signs params POSTed to
// fullURL. Like the provider's own libraries it also accepts the URL with
// the default port added or removed, since proxies differ on whether the
// URL the provider signed carried it.
func ValidSignature(token, signature, fullURL string, params url.Values) bool {
	if signature == "" {
		return false
	}
	ok := false
	for _, candidate := range urlVariants(fullURL) {
		want := Signature(token, candidate, params)
		// Every candidate is checked so the time taken does not tell which
		// matched.
		if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1 {
			ok = true
		}
	}
	return ok
}

// urlVariants is fullURL as given, and with the scheme's default port
// toggled.
func urlVariants(fullURL string) []string {
	u, err := url.Parse(fullURL)
	if err != nil {
		return []string{fullURL}
	}
	port := map[string]string{"http": "80", "https": "443"}[u.Scheme]
	if port == "" {
		return []string{fullURL}
	}
	other := *u
	if u.Port() == "" {
		other.Host = net.JoinHostPort(u.Hostname(), port)
	} else if u.Port() == port {
		other.Host = u.Hostname()
		if strings.Contains(other.Host, ":") {
			other.Host = "[" + other.Host + "]"
		}
	} else {
		return []string{fullURL}
	}
	return []string{fullURL, other.String()}
}

// requestURL is the URL the provider called: behind a TLS-terminating proxy
// the scheme and host come from X-Forwarded-Proto and X-Forwarded-Host.
// Trusting them is safe here: they only choose the URL the signature is
// checked against, and forging a signature still needs the token.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := firstHeaderValue(r, "X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := firstHeaderValue(r, "X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host + r.URL.RequestURI()
}

func firstHeaderValue(r *http.Request, name string) string {
	v, _, _ := strings.Cut(r.Header.Get(name), ",")
	return strings.TrimSpace(v)
}
