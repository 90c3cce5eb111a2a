package graphql

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	gql "github.com/graph-gophers/graphql-go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/eventstore/unseal"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/transport"
	"github.com/interactionledger/ledger/projections"
)

// Waiter is what the API needs of the projection runner: waiting until
// the read models applied a position (*projections.Runner).
type Waiter interface {
	WaitFor(ctx context.Context, position uint64) error
}

// Config is what the API serves from.
type Config struct {
	Store    eventstore.Store
	ReadDB   *projections.ReadDB
	Runner   Waiter
	Commands *commands.Handler
	// Reporter answers reports; nil makes reports UNAVAILABLE.
	Reporter analytics.Reporter
	Auth     *auth.Authenticator
	// Logger defaults to slog.Default(); Registerer, when set, gets the
	// API's metrics; Now defaults to time.Now.
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	Now        func() time.Time
	Limits     Limits
	// Contacts finds where a customer is written to (confirmPromise); nil
	// makes confirmPromise UNAVAILABLE.
	Contacts commands.ContactFinder
	// Files opens kept attachments (GET /files/..., ServeFile); nil:
	// downloads are UNAVAILABLE.
	Files Files
}

// Limits protect the server from expensive or abusive requests. Zero
// fields take DefaultLimits' values.
type Limits struct {
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// MaxQueryBytes bounds a query document.
	MaxQueryBytes int
	// MaxDepth bounds how deeply selections nest (graphql-go's MaxDepth).
	MaxDepth int
	// MaxComplexity bounds a document's estimated cost (see costModel).
	MaxComplexity int
	// MaxFirst is the largest page a paginated field returns.
	MaxFirst int
	// MaxParallelism bounds the resolvers one request runs at once.
	MaxParallelism int
	// ConsistencyWait bounds a READ_YOUR_WRITES wait.
	ConsistencyWait time.Duration
	// LoaderWait is how long a data loader gathers ids before a batch.
	LoaderWait time.Duration
	// MaxOperationsPerConnection bounds the operations one WebSocket runs
	// at once.
	MaxOperationsPerConnection int
	// SubscriberBuffer is how many updates a subscriber may fall behind
	// before it is dropped.
	SubscriberBuffer int
	// RequestTimeout bounds answering one query or mutation, over HTTP or
	// a WebSocket, and starting a subscription.
	RequestTimeout time.Duration
	// SubscriptionUpdateTimeout bounds resolving and handing over one
	// update of a subscription.
	SubscriptionUpdateTimeout time.Duration
	// ConnectionInitTimeout is how long a WebSocket may take to send
	// connection_init.
	ConnectionInitTimeout time.Duration
}

// DefaultLimits returns the limits the server runs with unless told
// otherwise.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:               1 << 20,
		MaxQueryBytes:              32 << 10,
		MaxDepth:                   12,
		MaxComplexity:              5000,
		MaxFirst:                   100,
		MaxParallelism:             16,
		ConsistencyWait:            5 * time.Second,
		RequestTimeout:             30 * time.Second,
		LoaderWait:                 500 * time.Microsecond,
		MaxOperationsPerConnection: 64,
		SubscriberBuffer:           32,
		SubscriptionUpdateTimeout:  5 * time.Second,
		ConnectionInitTimeout:      10 * time.Second,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	fill := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	fillDur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	fill(&l.MaxQueryBytes, d.MaxQueryBytes)
	fill(&l.MaxDepth, d.MaxDepth)
	fill(&l.MaxComplexity, d.MaxComplexity)
	fill(&l.MaxFirst, d.MaxFirst)
	fill(&l.MaxParallelism, d.MaxParallelism)
	fill(&l.MaxOperationsPerConnection, d.MaxOperationsPerConnection)
	fill(&l.SubscriberBuffer, d.SubscriberBuffer)
	fillDur(&l.ConsistencyWait, d.ConsistencyWait)
	fillDur(&l.RequestTimeout, d.RequestTimeout)
	fillDur(&l.LoaderWait, d.LoaderWait)
	fillDur(&l.SubscriptionUpdateTimeout, d.SubscriptionUpdateTimeout)
	fillDur(&l.ConnectionInitTimeout, d.ConnectionInitTimeout)
	return l
}

// Server is the GraphQL API: an http.Handler for /graphql (POST and GET
// queries, GET upgraded to a WebSocket for subscriptions; see
// graphql/transport) and the background follower that feeds subscriptions
// (Run).
type Server struct {
	schema    *gql.Schema
	root      *resolver
	costs     costModel
	limits    Limits
	log       *slog.Logger
	metrics   *metrics
	transport *transport.Handler

	// life ends when Run returns: a verification in flight stops.
	life    context.Context
	endLife context.CancelFunc
	// access appends the access ledger.
	access *accessRecorder
	// auth authenticates the requests beside /graphql (ServeFile).
	auth *auth.Authenticator
}

// New returns the API on cfg: the resolvers bound to the schema, served
// by the transports, which authenticate callers with cfg.Auth.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.ReadDB == nil || cfg.Runner == nil || cfg.Commands == nil || cfg.Auth == nil {
		return nil, errors.New("graphql: Store, ReadDB, Runner, Commands and Auth are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "graphql")
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	limits := cfg.Limits.withDefaults()
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	followMetrics, err := follow.NewMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	life, stop := context.WithCancel(context.Background())
	root := &resolver{
		db: cfg.ReadDB, store: cfg.Store, waiter: cfg.Runner, cmds: cfg.Commands, reporter: cfg.Reporter,
		hub:      newHub(cfg.Store, cfg.ReadDB, cfg.Runner, now, log, limits.SubscriberBuffer, limits.MaxFirst, m),
		verifier: &verifier{store: unseal.Stored(cfg.Store), life: life},
		limits:   limits, now: now, log: log,
		selfService: newClientLimiter(), contacts: cfg.Contacts, asOfViews: newAsOfViews(), files: cfg.Files, uploads: newUploads(),
	}
	root.hub.followMetrics = followMetrics
	schema, err := parseSchema(root, limits, log)
	if err != nil {
		stop()
		return nil, err
	}
	s := &Server{
		schema: schema, root: root, limits: limits, log: log, metrics: m,
		costs: costModel{schema: schema.AST(), maxFirst: limits.MaxFirst},
		life:  life, endLife: stop,
		access: newAccessRecorder(cfg.Store, now, log), auth: cfg.Auth,
	}
	s.transport, err = transport.New(transport.Config{
		Executor: executor{s: s}, Auth: cfg.Auth, Logger: log, Registerer: cfg.Registerer,
		Limits: transport.Limits{
			MaxBodyBytes: limits.MaxBodyBytes, RequestTimeout: limits.RequestTimeout,
			MaxOperationsPerConnection: limits.MaxOperationsPerConnection, ConnectionInitTimeout: limits.ConnectionInitTimeout,
		},
	})
	if err != nil {
		stop()
		return nil, err
	}
	return s, nil
}

// ServeHTTP answers /graphql through the transports.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.transport.ServeHTTP(w, r) }

// Run follows the ledger for the subscriptions until ctx ends; then it
// closes the WebSockets and waits for their handlers, so that the stores
// can be closed safely after it returns.
func (s *Server) Run(ctx context.Context) {
	recording, stopRecording := context.WithCancel(context.WithoutCancel(ctx))
	go s.access.run(recording)
	s.root.hub.run(ctx)
	s.endLife()
	s.transport.Close()
	stopRecording() // after the last request: its reads are recorded
	<-s.access.done
	s.root.asOfViews.closeAll()
}
