package transport

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

func TestHTTPTransport(t *testing.T) {
	e := newEnv(t, Limits{MaxBodyBytes: 4096})
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
		{"POST with charset", http.MethodPost, e.url, tok, "application/json; charset=utf-8", query, http.StatusOK, ""},
		{"GET query", http.MethodGet, get("{ me { subject } }"), tok, "", "", http.StatusOK, ""},
		{"no token", http.MethodPost, e.url, "", "application/json", query, http.StatusUnauthorized, apierror.CodeUnauthenticated},
		{"bad token", http.MethodPost, e.url, "x.y.z", "application/json", query, http.StatusUnauthorized, apierror.CodeUnauthenticated},
		{"GET mutation", http.MethodGet, get(`mutation { setPresence(presence: BUSY) { position } }`), tok, "", "", http.StatusMethodNotAllowed, apierror.CodeBadUserInput},
		{"PUT", http.MethodPut, e.url, tok, "application/json", query, http.StatusMethodNotAllowed, apierror.CodeBadUserInput},
		{"not JSON", http.MethodPost, e.url, tok, "text/plain", query, http.StatusUnsupportedMediaType, apierror.CodeBadUserInput},
		{"broken JSON", http.MethodPost, e.url, tok, "application/json", `{"query":`, http.StatusBadRequest, apierror.CodeBadUserInput},
		{"two JSON values", http.MethodPost, e.url, tok, "application/json", query + query, http.StatusBadRequest, apierror.CodeBadUserInput},
		{"too large", http.MethodPost, e.url, tok, "application/json", `{"query":"` + strings.Repeat(" ", 5000) + `{ me { role } }"}`, http.StatusRequestEntityTooLarge, apierror.CodeBadUserInput},
		{"bad variables", http.MethodGet, get("{ me { role } }") + "&variables=[1", tok, "", "", http.StatusBadRequest, apierror.CodeBadUserInput},
		{"subscription", http.MethodPost, e.url, tok, "application/json", `{"query":"subscription { agentPresenceChanged { id } }"}`, http.StatusBadRequest, apierror.CodeBadUserInput},
		{"refused by the executor", http.MethodPost, e.url, tok, "application/json", `{"query":"{ a } garbage"}`, http.StatusOK, apierror.CodeValidationFailed},
		{"self-service without a token", http.MethodPost, e.url, "", "application/json", `{"query":"{ ticketStatus { status } }"}`, http.StatusOK, ""},
		{"self-service with a bad token", http.MethodPost, e.url, "x.y.z", "application/json", `{"query":"{ ticketStatus { status } }"}`, http.StatusUnauthorized, apierror.CodeUnauthenticated},
		{"self-service, broken JSON", http.MethodPost, e.url, "", "application/json", `{"query":"{ ticketStatus { status } }"`, http.StatusUnauthorized, apierror.CodeUnauthenticated},
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
	if r := e.send(http.MethodPost, e.url, tok, "application/json", []byte(query)); !strings.Contains(string(r.Data), `"a-001"`) {
		t.Errorf("answered %s, want the caller's subject", r.Data)
	}
	// A 401 names the scheme, and whether the token sent was refused.
	req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader([]byte(query)))
	must(t, err, "request")
	req.Header.Set("Authorization", "Bearer nope")
	resp, err := http.DefaultClient.Do(req)
	must(t, err, "post")
	resp.Body.Close()
	if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate %q", got)
	}
}

// TestWriteResponseAsEncodingJSONWould checks that a response written
// without re-encoding its data says what encoding/json would say of it.
func TestWriteResponseAsEncodingJSONWould(t *testing.T) {
	for _, resp := range []*gql.Response{
		{Data: json.RawMessage(`{"customerByIdentity":{"id":"c1","timeline":{"nodes":[{"at":"2026-12-05T10:00:00Z"}]}}}`)},
		{Data: json.RawMessage(`{"customerByIdentity":null}`), Errors: []*gqlerrors.QueryError{{Message: "no \"such\" thing", Path: []any{"customerByIdentity"}}}},
		{Data: json.RawMessage(`null`), Errors: []*gqlerrors.QueryError{{Message: "forbidden"}}},
		{Errors: []*gqlerrors.QueryError{{Message: "bad request"}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}},
	} {
		rec := httptest.NewRecorder()
		writeResponse(rec, resp)
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got, wantV any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", rec.Body, err)
		}
		if err := json.Unmarshal(want, &wantV); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, wantV) || rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("wrote %d %q %s, encoding/json says %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body, want)
		}
	}
}
