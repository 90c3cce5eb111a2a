package graphql

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// TestRequestsOverHTTP runs requests through the wired API: the checks
// of Prepare and the transports' use of them. graphql/transport tests the
// HTTP handling itself.
func TestRequestsOverHTTP(t *testing.T) {
	e := newEnv(t)
	tok := e.token(auth.RoleAgent, "a-001")
	query := `{"query":"{ me { subject } }"}`
	get := func(q string) string { return e.url + "?" + url.Values{"query": {q}}.Encode() }
	for _, c := range []struct {
		name        string
		method, url string
		token       string
		contentType string
		body        string
		status      int
		code        string // "" for a successful answer
	}{
		{"POST", http.MethodPost, e.url, tok, "application/json", query, http.StatusOK, ""},
		{"GET query", http.MethodGet, get("{ me { subject } }"), tok, "", "", http.StatusOK, ""},
		{"no token", http.MethodPost, e.url, "", "application/json", query, http.StatusUnauthorized, apierror.CodeUnauthenticated},
		{"GET mutation", http.MethodGet, get(`mutation { setPresence(presence: BUSY) { position } }`), tok, "", "", http.StatusMethodNotAllowed, apierror.CodeBadUserInput},
		{"no query", http.MethodPost, e.url, tok, "application/json", `{}`, http.StatusOK, apierror.CodeBadUserInput},
		{"two operations unnamed", http.MethodPost, e.url, tok, "application/json", `{"query":"query A { me { role } } query B { me { role } }"}`, http.StatusOK, apierror.CodeValidationFailed},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.send(c.method, c.url, c.token, c.contentType, []byte(c.body))
			if r.Status != c.status {
				t.Errorf("status %d, want %d (errors %+v)", r.Status, c.status, r.Errors)
			}
			if c.code == "" && len(r.Errors) > 0 || c.code != "" && !slices.Equal(r.codes(), []string{c.code}) {
				t.Errorf("errors %+v, want code %q", r.Errors, c.code)
			}
		})
	}
}
