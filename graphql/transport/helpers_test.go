package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/internal/document"
	"github.com/interactionledger/ledger/graphql/transport/transporttest"
)

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// testSecret signs the tests' tokens.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// fakeExecutor stands in for the API: it tells operations apart with the
// outline parser and answers every query with the caller's subject.
// Subscriptions stay open, without updates, until they are cancelled.
type fakeExecutor struct{}

func (fakeExecutor) Prepare(ctx context.Context, v auth.Viewer, req Request) (Prepared, []*gqlerrors.QueryError) {
	doc, err := document.Parse(req.Query)
	if err != nil {
		return Prepared{}, apierror.RequestErrors(apierror.CodeValidationFailed, "%v", err)
	}
	op, err := doc.Operation(req.OperationName)
	if err != nil {
		return Prepared{}, apierror.RequestErrors(apierror.CodeValidationFailed, "%v", err)
	}
	return Prepared{Context: auth.WithViewer(ctx, v), Kind: op.Kind, Correlation: "c-1"}, nil
}

func (fakeExecutor) Exec(p Prepared, _ Request) *gql.Response {
	v, _ := auth.ViewerFrom(p.Context)
	return &gql.Response{Data: json.RawMessage(fmt.Sprintf(`{"me":{"subject":%q}}`, v.Subject))}
}

func (f fakeExecutor) Subscribe(p Prepared, req Request) (<-chan any, error) {
	out := make(chan any, 1)
	if strings.Contains(req.Query, "slow") {
		// A resolver that takes as long as its context lets it: a query
		// answers when the context ends, a subscription starts only then.
		<-p.Context.Done()
		if p.Kind == "subscription" {
			close(out)
			return out, nil
		}
		out <- &gql.Response{Errors: apierror.RequestErrors(apierror.CodeTimeout, "%v", p.Context.Err())}
		close(out)
		return out, nil
	}
	if p.Kind == "subscription" {
		go func() {
			<-p.Context.Done()
			close(out)
		}()
		return out, nil
	}
	out <- f.Exec(p, req)
	close(out)
	return out, nil
}

func (fakeExecutor) AllowsAnonymous(req Request) bool {
	return req.Query == "{ ticketStatus { status } }"
}

// env is a Handler on a fakeExecutor behind an httptest server.
type env struct {
	t    testing.TB
	auth *auth.Authenticator
	url  string
}

func newEnv(t testing.TB, limits Limits) *env {
	t.Helper()
	a, err := auth.NewAuthenticator(testSecret)
	must(t, err, "authenticator")
	fill := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	if limits.MaxBodyBytes == 0 {
		limits.MaxBodyBytes = 1 << 20
	}
	if limits.MaxOperationsPerConnection == 0 {
		limits.MaxOperationsPerConnection = 64
	}
	fill(&limits.RequestTimeout, 30*time.Second)
	fill(&limits.ConnectionInitTimeout, 10*time.Second)
	h, err := New(Config{Executor: fakeExecutor{}, Auth: a, Limits: limits, Logger: quietLogger})
	must(t, err, "handler")
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return &env{t: t, auth: a, url: srv.URL + "/graphql"}
}

// token mints a token for role and subject.
func (e *env) token(role auth.Role, subject string) string {
	e.t.Helper()
	tok, err := e.auth.Mint(subject, role, time.Hour)
	must(e.t, err, "mint")
	return tok
}

// dialWS opens a graphql-transport-ws connection, offering protocols.
func (e *env) dialWS(protocols ...string) *transporttest.Client {
	e.t.Helper()
	return transporttest.Dial(e.t, e.url, nil, protocols...)
}

// result is a decoded response.
type result struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

// codes lists the response's error codes.
func (r result) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Extensions.Code)
	}
	return out
}

func (e *env) send(method, url, token, contentType string, body []byte) result {
	e.t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	must(e.t, err, "request")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	must(e.t, err, "%s %s", method, url)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(e.t, err, "read")
	r := result{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &r); err != nil {
		e.t.Fatalf("%s %s: status %d, body %q: %v", method, url, resp.StatusCode, raw, err)
	}
	return r
}

// must is a compact fatal check.
func must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}
