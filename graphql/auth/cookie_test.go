package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCheckCookieRequest(t *testing.T) {
	for _, tc := range []struct {
		method, origin, csrf string
		ok                   bool
	}{
		{http.MethodPost, "", "1", true},
		{http.MethodPost, "http://ledger.example:8080", "1", true},
		{http.MethodPost, "https://LEDGER.example:8080", "1", true},
		{http.MethodPost, "", "", false},
		{http.MethodPost, "http://ledger.example:8080", "yes", false},
		{http.MethodPost, "http://evil.example", "1", false},
		{http.MethodPost, "http://ledger.example:9090", "1", false},
		{http.MethodPost, "null", "1", false},
		{http.MethodGet, "", "", true},
		{http.MethodGet, "http://evil.example", "", false},
	} {
		r := httptest.NewRequest(tc.method, "http://ledger.example:8080/graphql", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.csrf != "" {
			r.Header.Set(CSRFHeader, tc.csrf)
		}
		if err := CheckCookieRequest(r); (err == nil) != tc.ok {
			t.Errorf("%s Origin %q %s %q: %v, want ok=%v", tc.method, tc.origin, CSRFHeader, tc.csrf, err, tc.ok)
		}
	}
}
