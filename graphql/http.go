package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/graphql/apierror"
)

// ServeHTTP answers /graphql: POST with a JSON body runs any query or
// mutation, GET runs queries from the URL (never mutations, which must not
// happen on a GET), and GET with an Upgrade header opens a WebSocket for
// subscriptions.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && websocket.IsWebSocketUpgrade(r):
		s.serveWebSocket(w, r)
	case r.Method == http.MethodGet || r.Method == http.MethodPost:
		s.serveRequest(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput, "use POST, or GET for queries")})
	}
}

func (s *Server) serveRequest(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	v, authErr := s.auth.Authenticate(r.Header.Get("Authorization"))
	req, status, err := decodeHTTPRequest(r, s.limits.MaxBodyBytes)
	// Without a valid token only self-service queries run, for a viewer
	// with no role (selfServiceOnly lets no other field through).
	if authErr != nil && (err != nil || r.Header.Get("Authorization") != "" || !selfServiceOnly(req)) {
		writeUnauthenticated(w, r.Header.Get("Authorization") != "", authErr)
		return
	}
	if err != nil {
		writeJSON(w, status, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput, "%v", err)})
		return
	}
	ctx, cancel := context.WithTimeout(withClientIP(r.Context(), r), s.limits.RequestTimeout)
	defer cancel()
	p, errs := s.prepare(ctx, v, req)
	if errs != nil {
		s.metrics.requests.WithLabelValues("invalid", "error").Inc()
		writeJSON(w, http.StatusOK, gql.Response{Errors: errs})
		return
	}
	w.Header().Set("X-Correlation-Id", p.correlation)
	switch {
	case p.kind == "subscription":
		writeJSON(w, http.StatusBadRequest, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput,
			"subscriptions are served over WebSocket (graphql-transport-ws) on GET /graphql")})
		return
	case p.kind != "query" && r.Method == http.MethodGet:
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput, "a %s needs POST", p.kind)})
		return
	}
	resp := s.schema.Exec(p.ctx, req.Query, req.OperationName, req.Variables)
	apierror.Present(p.ctx, s.log, resp.Errors)
	s.metrics.requests.WithLabelValues(p.kind, outcome(len(resp.Errors) > 0)).Inc()
	s.metrics.duration.WithLabelValues(p.kind).Observe(time.Since(start).Seconds())
	s.log.DebugContext(ctx, "graphql request", "kind", p.kind, "operation", req.OperationName, "subject", v.Subject,
		"role", v.Role, "cost", p.cost, "errors", len(resp.Errors), "took", time.Since(start))
	writeJSON(w, http.StatusOK, resp)
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
func decodeHTTPRequest(r *http.Request, maxBody int64) (request, int, error) {
	if r.Method == http.MethodGet {
		return decodeQueryString(r)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return request{}, http.StatusUnsupportedMediaType, errors.New("the body must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return request{}, http.StatusRequestEntityTooLarge, fmt.Errorf("the body exceeds %d bytes", maxBody)
	}
	if err != nil {
		return request{}, http.StatusBadRequest, fmt.Errorf("reading the body: %w", err)
	}
	req, err := decodeJSONRequest(body)
	if err != nil {
		return request{}, http.StatusBadRequest, err
	}
	return req, http.StatusOK, nil
}

// decodeJSONRequest parses a request body: one JSON object with query,
// operationName, variables and extensions.
func decodeJSONRequest(body []byte) (request, error) {
	var req request
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return request{}, fmt.Errorf("the body is not a GraphQL request: %w", err)
	}
	if dec.More() {
		return request{}, errors.New("the body holds more than one JSON value")
	}
	return req, nil
}

func decodeQueryString(r *http.Request) (request, int, error) {
	q := r.URL.Query()
	req := request{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if vars := q.Get("variables"); vars != "" {
		if err := json.Unmarshal([]byte(vars), &req.Variables); err != nil {
			return request{}, http.StatusBadRequest, fmt.Errorf("variables must be a JSON object: %w", err)
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
