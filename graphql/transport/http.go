package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// serveRequest answers a query or mutation over HTTP.
func (h *Handler) serveRequest(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req, status, err := decodeHTTPRequest(r, h.limits.MaxBodyBytes)
	v, authErr := h.authenticate(r)
	var forbidden *apierror.Error
	if errors.As(authErr, &forbidden) && forbidden.Code == apierror.CodeForbidden {
		// A valid session cookie on a request breaking the CSRF rules:
		// only what anyone may ask runs, and without the cookie's rights.
		if err != nil || !h.exec.AllowsAnonymous(req) {
			writeJSON(w, http.StatusForbidden, gql.Response{Errors: apierror.RequestErrors(apierror.CodeForbidden, "%s", forbidden.Message)})
			return
		}
	}
	// Without a valid token only self-service queries run, for a viewer
	// with no role (the Executor lets no other field through).
	if authErr != nil && (err != nil || r.Header.Get("Authorization") != "" || !h.exec.AllowsAnonymous(req)) {
		writeUnauthenticated(w, r.Header.Get("Authorization") != "", authErr)
		return
	}
	if err != nil {
		writeJSON(w, status, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput, "%v", err)})
		return
	}
	ctx, cancel := context.WithTimeout(WithClientIP(r.Context(), r), h.limits.RequestTimeout)
	defer cancel()
	p, errs := h.exec.Prepare(ctx, v, req)
	if errs != nil {
		h.metrics.requests.WithLabelValues("invalid", "error").Inc()
		writeJSON(w, http.StatusOK, gql.Response{Errors: errs})
		return
	}
	w.Header().Set("X-Correlation-Id", p.Correlation)
	switch {
	case p.Kind == "subscription":
		writeJSON(w, http.StatusBadRequest, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput,
			"subscriptions are served over WebSocket (graphql-transport-ws) on GET /graphql")})
		return
	case p.Kind != "query" && r.Method == http.MethodGet:
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput, "a %s needs POST", p.Kind)})
		return
	}
	resp := h.exec.Exec(p, req)
	apierror.Present(p.Context, h.log, resp.Errors)
	h.metrics.requests.WithLabelValues(p.Kind, outcome(len(resp.Errors) > 0)).Inc()
	h.metrics.duration.WithLabelValues(p.Kind).Observe(time.Since(start).Seconds())
	h.log.DebugContext(ctx, "graphql request", "kind", p.Kind, "operation", req.OperationName, "subject", v.Subject,
		"role", v.Role, "cost", p.Cost, "errors", len(resp.Errors), "took", time.Since(start))
	writeResponse(w, resp)
}

// writeResponse writes an executed operation's response. Its data is the
// executor's JSON already: written as it is, not re-encoded (encoding/json
// would parse and compact it again, a tenth of a screen pop's CPU).
func writeResponse(w http.ResponseWriter, resp *gql.Response) {
	if len(resp.Extensions) > 0 || len(resp.Data) == 0 {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	out := make([]byte, 0, len(resp.Data)+len(`{"data":}`))
	out = append(out, '{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			writeJSON(w, http.StatusOK, resp) // says what failed
			return
		}
		out = append(append(append(out, `"errors":`...), errs...), ',')
	}
	out = append(append(append(out, `"data":`...), resp.Data...), '}')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// authenticate returns the caller of an HTTP request: the bearer token of
// its Authorization header, or without one the token of its session
// cookie, which must then follow the CSRF rules (auth.CheckCookieRequest;
// a FORBIDDEN error when it does not).
func (h *Handler) authenticate(r *http.Request) (auth.Viewer, error) {
	return AuthenticateRequest(h.auth, r)
}

// AuthenticateRequest returns the caller of an HTTP request as the API
// authenticates it (see Handler.authenticate), for the endpoints beside
// /graphql.
func AuthenticateRequest(a *auth.Authenticator, r *http.Request) (auth.Viewer, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		if token, ok := auth.SessionToken(r); ok {
			v, err := a.Verify(token)
			if err != nil {
				return auth.Viewer{}, err
			}
			if err := auth.CheckCookieRequest(r); err != nil {
				return auth.Viewer{}, err
			}
			return v, nil
		}
	}
	return a.Authenticate(header)
}

// writeUnauthenticated answers 401, telling a client that sent a token
// that it was refused (RFC 6750).
func writeUnauthenticated(w http.ResponseWriter, sentToken bool, err error) {
	challenge := `Bearer realm="ledger"`
	if sentToken {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	_, msg, _ := apierror.Classify(err)
	writeJSON(w, http.StatusUnauthorized, gql.Response{Errors: apierror.RequestErrors(apierror.CodeUnauthenticated, "%s", msg)})
}

// decodeHTTPRequest reads a request from a POST body (JSON, at most
// maxBody bytes) or from a GET's URL. The status is what to answer when it
// fails.
func decodeHTTPRequest(r *http.Request, maxBody int64) (Request, int, error) {
	if r.Method == http.MethodGet {
		return decodeQueryString(r)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return Request{}, http.StatusUnsupportedMediaType, errors.New("the body must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return Request{}, http.StatusRequestEntityTooLarge, fmt.Errorf("the body exceeds %d bytes", maxBody)
	}
	if err != nil {
		return Request{}, http.StatusBadRequest, fmt.Errorf("reading the body: %w", err)
	}
	req, err := decodeJSONRequest(body)
	if err != nil {
		return Request{}, http.StatusBadRequest, err
	}
	return req, http.StatusOK, nil
}

// decodeJSONRequest parses a request body: one JSON object with query,
// operationName, variables and extensions.
func decodeJSONRequest(body []byte) (Request, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return Request{}, fmt.Errorf("the body is not a GraphQL request: %w", err)
	}
	if dec.More() {
		return Request{}, errors.New("the body holds more than one JSON value")
	}
	return req, nil
}

func decodeQueryString(r *http.Request) (Request, int, error) {
	q := r.URL.Query()
	req := Request{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if vars := q.Get("variables"); vars != "" {
		if err := json.Unmarshal([]byte(vars), &req.Variables); err != nil {
			return Request{}, http.StatusBadRequest, fmt.Errorf("variables must be a JSON object: %w", err)
		}
	}
	return req, http.StatusOK, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only resolvers' values reach here, all of them encodable.
		b, status = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`), http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type clientIPKey struct{}

// WithClientIP records the request's client address (the peer's, not a
// forwarded header a client could set) for per-client limits.
func WithClientIP(ctx context.Context, r *http.Request) context.Context {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return context.WithValue(ctx, clientIPKey{}, host)
}

// ClientIP returns the address of the client whose HTTP request ctx
// serves, "" over a WebSocket.
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}
