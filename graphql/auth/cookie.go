package auth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/interactionledger/ledger/graphql/apierror"
)

// SessionCookie is the cookie that carries a signed-in person's token
// (the same JWT a bearer header carries), set by POST /auth/login:
// HttpOnly, SameSite=Strict, Secure over TLS.
const SessionCookie = "ledger_session"

// CSRFHeader must be "1" on every POST to the API authenticated by the
// session cookie: a cross-site form cannot send a custom header, and a
// cross-site script cannot without a CORS preflight the server never
// grants.
const CSRFHeader = "X-Ledger-CSRF"

// SessionToken returns the token of r's session cookie, and whether it
// has one.
func SessionToken(r *http.Request) (string, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	return c.Value, true
}

// OriginMatchesHost reports whether r's Origin header names r's host
// (scheme aside): true for a page of this server. An absent or "null"
// Origin does not match.
func OriginMatchesHost(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// CheckCookieRequest applies the CSRF rules to an HTTP request
// authenticated by the session cookie: its Origin, when present, must
// name this host, and a POST must carry "X-Ledger-CSRF: 1". It returns a
// FORBIDDEN *apierror.Error saying which rule failed.
func CheckCookieRequest(r *http.Request) error {
	if r.Header.Get("Origin") != "" && !OriginMatchesHost(r) {
		return apierror.Forbidden("a request signed in by the session cookie must come from a page of this server; its Origin header names another")
	}
	if r.Method == http.MethodPost && r.Header.Get(CSRFHeader) != "1" {
		return apierror.Forbidden("a POST signed in by the session cookie must carry the header %s: 1", CSRFHeader)
	}
	return nil
}
