// Package transport carries GraphQL requests to the API and its answers
// back: queries and mutations over HTTP POST and GET (http.go), and any
// operation, subscriptions above all, over a WebSocket speaking
// graphql-transport-ws (ws.go, ws_message.go). It authenticates callers
// with graphql/auth, counts and times what it answers, and leaves
// checking and running a request to an Executor (package graphql's
// server), which it does not import.
package transport

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// Request is one GraphQL request, as both transports carry it.
type Request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// Prepared is a request its Executor accepted, ready to run.
type Prepared struct {
	// Context is what the request's resolvers run in.
	Context context.Context
	// Kind is the operation's type: "query", "mutation" or "subscription".
	Kind string
	// Correlation identifies what the request writes
	// (X-Correlation-Id).
	Correlation string
	// Cost is the request's estimated cost, for the log.
	Cost int
}

// Executor checks and runs requests for the transports.
type Executor interface {
	// Prepare checks req, run for v, before it runs and returns it with
	// the context to run it in, or the errors to answer instead.
	Prepare(ctx context.Context, v auth.Viewer, req Request) (Prepared, []*gqlerrors.QueryError)
	// Exec runs a prepared query or mutation.
	Exec(p Prepared, req Request) *gql.Response
	// Subscribe runs a prepared operation of any kind as a stream of
	// *gql.Response, which ends when the operation does or p.Context
	// ends.
	Subscribe(p Prepared, req Request) (<-chan any, error)
	// AllowsAnonymous reports whether req may run without a token
	// (self-service).
	AllowsAnonymous(req Request) bool
}

// Limits bound what the transports accept. The API fills them (all must
// be set).
type Limits struct {
	// MaxBodyBytes bounds an HTTP request body.
	MaxBodyBytes int64
	// RequestTimeout bounds answering one query or mutation, over HTTP or
	// a WebSocket, and starting a subscription.
	RequestTimeout time.Duration
	// MaxOperationsPerConnection bounds the operations one WebSocket runs
	// at once.
	MaxOperationsPerConnection int
	// ConnectionInitTimeout is how long a WebSocket may take to send
	// connection_init.
	ConnectionInitTimeout time.Duration
	// RecheckEvery is how often a WebSocket checks that its token was not
	// revoked (it also checks at every operation it starts); 0 means
	// DefaultRecheckEvery.
	RecheckEvery time.Duration
}

// DefaultRecheckEvery is Limits.RecheckEvery's default.
const DefaultRecheckEvery = 5 * time.Second

// Config is what a Handler serves with.
type Config struct {
	Executor Executor
	Auth     *auth.Authenticator
	Limits   Limits
	// Logger defaults to slog.Default(); Registerer, when set, gets the
	// transports' metrics.
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Handler is the http.Handler of /graphql: POST and GET queries, and GET
// upgraded to a WebSocket for subscriptions.
type Handler struct {
	exec    Executor
	auth    *auth.Authenticator
	limits  Limits
	log     *slog.Logger
	metrics *metrics

	// life ends at Close: WebSockets close.
	life    context.Context
	endLife context.CancelFunc
	connMu  sync.Mutex
	closing bool
	conns   sync.WaitGroup
}

// New returns a Handler on cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Executor == nil || cfg.Auth == nil {
		return nil, errors.New("graphql transport: Executor and Auth are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	if cfg.Limits.RecheckEvery <= 0 {
		cfg.Limits.RecheckEvery = DefaultRecheckEvery
	}
	life, stop := context.WithCancel(context.Background())
	return &Handler{exec: cfg.Executor, auth: cfg.Auth, limits: cfg.Limits, log: log, metrics: m, life: life, endLife: stop}, nil
}

// ServeHTTP answers /graphql: POST with a JSON body runs any query or
// mutation, GET runs queries from the URL (never mutations, which must not
// happen on a GET), and GET with an Upgrade header opens a WebSocket for
// subscriptions.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && websocket.IsWebSocketUpgrade(r):
		h.serveWebSocket(w, r)
	case r.Method == http.MethodGet || r.Method == http.MethodPost:
		h.serveRequest(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeJSON(w, http.StatusMethodNotAllowed, gql.Response{Errors: apierror.RequestErrors(apierror.CodeBadUserInput, "use POST, or GET for queries")})
	}
}

// Close closes the WebSockets and waits for their handlers; new ones are
// refused.
func (h *Handler) Close() {
	h.connMu.Lock()
	h.closing = true
	h.connMu.Unlock()
	h.endLife()
	h.conns.Wait()
}

// trackConn registers a WebSocket handler with Close; false when the
// handler is closing.
func (h *Handler) trackConn() bool {
	h.connMu.Lock()
	defer h.connMu.Unlock()
	if h.closing {
		return false
	}
	h.conns.Add(1)
	return true
}
