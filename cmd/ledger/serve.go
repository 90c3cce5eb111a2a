package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/interactionledger/ledger/ui/app"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/esdb"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/routing"
	"github.com/interactionledger/ledger/projections"
)

// serveConfig is what `ledger serve` was asked to do.
type serveConfig struct {
	data string
	// store is --store: "sqlite" for the ledger in data, or an esdb://
	// connection string.
	store       string
	addr        string
	adminAddr   string
	demo        bool
	demoPace    time.Duration
	demoSeed    uint64
	customers   int
	drain       time.Duration
	callingCode string
	// planTiers is --plan-tiers: the tiers plans give by their code.
	planTiers domain.PlanTiers
	// aggregateCache is the command handler's aggregate state cache
	// budget in entries (streams); 0: the default (so that servers the
	// tests start run as served), cacheOff: no cache.
	aggregateCache int
	// limits are the inbound channels' abuse limits; nil: none (tests).
	limits *limitSettings
	// leaseTTL is --lease-ttl (0: defaultLeaseTTL).
	leaseTTL time.Duration
	// noSingletons is --singletons=false.
	noSingletons bool
	// keys are --master-key-file and --encrypt (the zero value: the
	// defaults, a new ledger encrypted).
	keys keySource
	// blobs is --blobs: where attachments' contents are kept ("": a
	// directory under data).
	blobs string
	// clamd is --clamd: the malware scanner's address ("": none).
	clamd string
	// readHeaderTimeout and readTimeout are the public listener's
	// --http-read-header-timeout and --http-read-timeout (0: the
	// defaults): they cut off clients that send a request slowly
	// (slowloris) before they pile up.
	readHeaderTimeout, readTimeout time.Duration
}

// The public listener's limits on a request: a client gets
// defaultReadHeaderTimeout for its request line and headers and
// defaultReadTimeout for the whole request, body included; headers past
// maxHeaderBytes get 431. 64 KiB holds any real cookie and bearer token,
// and keeps what a connection that never finishes its headers can make
// the server buffer small (net/http's own default is 1 MiB).
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultReadTimeout       = 60 * time.Second
	maxHeaderBytes           = 64 << 10
)

func runServe(ctx context.Context, args []string, out io.Writer) error {
	fs, resolve := serveFlags(out)
	if _, err := parseServeFlags(fs, args); err != nil {
		return err
	}
	cfg, components, err := resolve()
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, cfg, components...)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ledger serving on http://%s (data %s)\n", srv.addr, cfg.data)
	if srv.adminAddr != "" {
		fmt.Fprintf(out, "admin endpoints (/metrics /healthz /readyz /debug/pprof/) on http://%s\n", srv.adminAddr)
	}
	if cfg.demo {
		if err := ensureDemoAccounts(cfg.data, out); err != nil {
			_ = srv.shutdown(cfg.drain)
			return err
		}
	}
	<-ctx.Done()
	slog.Info("shutting down: draining requests, finishing appends")
	return srv.shutdown(cfg.drain)
}

// serveFlags defines every flag of `ledger serve` on a new FlagSet. Once
// it is parsed (and a --config file laid under it), resolve makes the
// serveConfig and checks the flags' combinations, opening nothing, so
// that `ledger config check` runs the same checks.
func serveFlags(out io.Writer) (*flag.FlagSet, func() (serveConfig, []serveComponent, error)) {
	fs, data := newFlagSet("serve", out)
	addConfigFlag(fs)
	cfg := serveConfig{}
	addStoreFlag(fs, &cfg.store)
	fs.StringVar(&cfg.addr, "http", envOr("LEDGER_HTTP", "127.0.0.1:8080"), "HTTP listen address (env LEDGER_HTTP)")
	fs.StringVar(&cfg.adminAddr, "admin-http", envOr("LEDGER_ADMIN_HTTP", ""), "admin listen address for /metrics, /healthz, /readyz and /debug/pprof/, e.g. 127.0.0.1:9090 (env LEDGER_ADMIN_HTTP); empty: not served")
	fs.BoolVar(&cfg.demo, "demo", false, "generate live demo traffic while serving")
	fs.DurationVar(&cfg.demoPace, "demo-pace", 2*time.Second, "with --demo: longest pause between two steps of a demo interaction")
	fs.Uint64Var(&cfg.demoSeed, "demo-seed", uint64(time.Now().UnixNano()), "with --demo: random seed")
	fs.IntVar(&cfg.customers, "demo-customers", 500, "with --demo: distinct customers")
	fs.DurationVar(&cfg.drain, "shutdown-timeout", 30*time.Second, "how long a SIGTERM waits for in-flight requests")
	fs.DurationVar(&cfg.readHeaderTimeout, "http-read-header-timeout", defaultReadHeaderTimeout, "how long a client may take to send a request's line and headers before the connection is closed")
	fs.DurationVar(&cfg.readTimeout, "http-read-timeout", defaultReadTimeout, "how long a client may take to send a whole request, body included, before the connection is closed")
	fs.StringVar(&cfg.callingCode, "calling-code", envOr("LEDGER_CALLING_CODE", domain.DefaultCallingCode), "country calling code of phone numbers written without one (env LEDGER_CALLING_CODE)")
	planTiers := fs.String("plan-tiers", envOr("LEDGER_PLAN_TIERS", ""), "tiers that business plans give by their planCode attribute, for CRMs that send no tier, e.g. UNL-FAMILY=VIP,PREMIUM=GOLD (env LEDGER_PLAN_TIERS)")
	addAggregateCacheFlag(fs, &cfg.aggregateCache)
	fs.StringVar(&cfg.blobs, "blobs", envOr(blobsEnv, ""), "where attachments' contents are kept, sealed with the customers' data keys: empty for <data>/blobs, or s3://bucket?endpoint=host:port[&region=...&secure=false] with credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (env "+blobsEnv+")")
	fs.StringVar(&cfg.clamd, "clamd", envOr(clamdEnv, ""), "clamd's address for scanning attachments for malware: unix:///run/clamav/clamd.ctl or tcp://host:3310; an infected file is recorded as quarantined and never served (env "+clamdEnv+"; empty: files are not scanned)")
	keys := addNewLedgerFlags(fs)
	fs.DurationVar(&cfg.leaseTTL, "lease-ttl", defaultLeaseTTL, "with a shared ledger: how long the singletons' leader may go without renewing its lease before another node takes over")
	singletonsOn := fs.Bool("singletons", true, "take part in electing the node that runs the singletons (router, SLA timers, notifications, outbound delivery, QA); false: this node never runs them (a store host or a read-only node)")
	var limits limitFlags
	limits.addFlags(fs)
	components := serveComponents()
	for _, c := range components {
		c.addFlags(fs)
	}
	return fs, func() (serveConfig, []serveComponent, error) {
		cfg.data = *data
		cfg.noSingletons = !*singletonsOn
		cfg.keys = *keys
		cfg.keys.dir = cfg.data
		if cfg.aggregateCache < 0 {
			return serveConfig{}, nil, &exitError{code: 2, err: fmt.Errorf("--aggregate-cache must be 0 (off) or more")}
		}
		if cfg.aggregateCache == 0 {
			cfg.aggregateCache = cacheOff
		}
		var err error
		if cfg.limits, err = limits.parse(); err != nil {
			return serveConfig{}, nil, &exitError{code: 2, err: err}
		}
		if cfg.planTiers, err = domain.ParsePlanTiers(*planTiers); err != nil {
			return serveConfig{}, nil, &exitError{code: 2, err: fmt.Errorf("--plan-tiers: %w", err)}
		}
		if _, err := domain.NormalizePhone("12345678", cfg.callingCode); err != nil {
			return serveConfig{}, nil, &exitError{code: 2, err: fmt.Errorf("--calling-code %q: %w", cfg.callingCode, err)}
		}
		return cfg, components, nil
	}
}

// server is a running `ledger serve`.
type server struct {
	addr string
	http *http.Server
	// unused are the HTTP connections without a request yet, closed at
	// shutdown.
	unused unusedConns
	// adminAddr and admin serve /metrics, /healthz and /readyz, only
	// with --admin-http.
	adminAddr string
	admin     *http.Server
	store     eventstore.Store
	readDB    *projections.ReadDB
	runner    *projections.Runner
	// files keeps attachments' contents (nil on a ledger in clear).
	files   *blobs.Store
	cancel  context.CancelFunc
	workers sync.WaitGroup
	ready   func() bool
}

// serveComponent is a part of `ledger serve` beyond the core: it has its own
// flags, mounts its HTTP routes and starts its background work (through
// core.goRun, so shutdown waits for it once core.ctx ends). What it needs
// from other components comes in offers, built by every provider before
// any component starts, so the order of the components does not matter.
type serveComponent interface {
	addFlags(fs *flag.FlagSet)
	start(core *serveCore, offers offers) error
}

// provider is a component that offers others something (a reporter, reply
// senders, the router). provide builds it and starts nothing.
type provider interface {
	provide(core *serveCore) (offers, error)
}

// offers is what components give each other.
type offers struct {
	// reporter answers reports (the analytics component).
	reporter analytics.Reporter
	// senders deliver agents' replies, by channel (the channel
	// components); the outbound component runs the one dispatcher for all
	// of them, and notifications choose among their channels.
	senders map[domain.Channel]outbound.Sender
	// router routes (the routing component; nil with --router=false); the
	// SIP component makes it the phone channel's AgentChooser.
	router *routing.Router
}

// merge adds o's offers, refusing two of one kind.
func (all *offers) merge(o offers) error {
	if o.reporter != nil {
		if all.reporter != nil {
			return errors.New("two components offer reports")
		}
		all.reporter = o.reporter
	}
	if o.router != nil {
		if all.router != nil {
			return errors.New("two components offer a router")
		}
		all.router = o.router
	}
	for ch, s := range o.senders {
		if _, dup := all.senders[ch]; dup {
			return fmt.Errorf("two components offer a sender for %s", ch)
		}
		if all.senders == nil {
			all.senders = map[domain.Channel]outbound.Sender{}
		}
		all.senders[ch] = s
	}
	return nil
}

// serveCore is what every component gets to work with; it does not change
// once the server is built.
type serveCore struct {
	ctx     context.Context // ends at shutdown, after the HTTP server drained
	dataDir string
	// store is the ledger as the command layer and readers use it (on an
	// encrypted ledger, personal fields opened); rawStore is it as stored
	// (ciphertext), for verification, tree heads and serving other nodes.
	store    eventstore.Store
	rawStore eventstore.Store
	readDB   *projections.ReadDB
	runner   *projections.Runner
	handler  *commands.Handler
	// files keeps attachments' contents; nil on a ledger in clear.
	files *blobs.Store
	// aggregateCache is --aggregate-cache, for the components that make
	// handlers of their own.
	aggregateCache int
	limits         *limitSettings // the inbound channels' abuse limits (nil: none)
	registry       *prometheus.Registry
	mux            *http.ServeMux
	goRun          func(func())
	// lease elects the node that runs the singletons (router, SLA,
	// notifications, QA, analytics sink, outbound delivery): singletons'.
	lease      follow.Lease
	singletons singletons
	leaseTTL   time.Duration
	// followMetrics are every follower's metrics.
	followMetrics *follow.Metrics
}

// elect sets how this node elects the singletons' leader. Components'
// provide may change it (the protocol endpoint does); their start must
// not.
func (c *serveCore) elect(s singletons) {
	c.singletons, c.lease = s, s.lease
}

// serveComponents lists the components `ledger serve` runs.
func serveComponents() []serveComponent {
	return []serveComponent{
		newObservabilityComponent(), // first: the others' spans are traced from their start
		newAnalyticsComponent(),
		newGraphQLComponent(),
		newWebChannelsComponent(),
		newIntegrationsComponent(),
		newRoutingComponent(),
		newSIPComponent(),
		newEmailComponent(),
		newSLAComponent(),
		newNotifyComponent(),
		newOutboundComponent(),
		newESDBComponent(),
		newTreeHeadComponent(),
		newReplicaComponent(),
	}
}

// startServer opens the ledger and read models, starts the projections,
// the components, the optional demo traffic and the HTTP listener.
func startServer(ctx context.Context, cfg serveConfig, components ...serveComponent) (*server, error) {
	// A build whose upcasters leave a gap could read no old event of that
	// type: refuse to start, rather than halt every follower at the first.
	if err := domain.CheckUpcasters(); err != nil {
		return nil, fmt.Errorf("event upcasters: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := os.MkdirAll(cfg.data, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	raw, err := openLedger(ctx, cfg.store, cfg.data, reg, true)
	if err != nil {
		return nil, err
	}
	// A shared ledger is not made encrypted: its nodes would each make
	// their own data keys (README, "Erasure").
	keys := cfg.keys
	keys.dir = cfg.data
	store, err := openSealed(ctx, raw, keys, !keys.keepClear && !esdb.IsURL(cfg.store))
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	s := &server{store: store}
	if err := s.openReadSide(ctx, cfg, reg); err != nil {
		_ = store.Close()
		return nil, err
	}
	startHead, err := store.HeadPosition(ctx)
	if err != nil {
		s.closeStores()
		return nil, err
	}
	s.ready = func() bool { return s.runner.Position() >= startHead }
	handlerOpts := []commands.Option{commands.WithRegisterer(reg), commands.WithCallingCode(cfg.callingCode),
		commands.WithInteractionLimits(cfg.limits.interactionLimits()), commands.WithAggregateCache(cacheEntries(cfg.aggregateCache)),
		commands.WithPlanTiers(cfg.planTiers)}
	if migratedToEncryption(cfg.data) {
		handlerOpts = append(handlerOpts, commands.WithMigratedConversations())
	}
	files, err := openFiles(ctx, cfg.blobs, cfg.clamd, cfg.data, store)
	if err != nil {
		s.closeStores()
		return nil, err
	}
	if files != nil {
		handlerOpts = append(handlerOpts, commands.WithFiles(files))
	}
	s.files = files
	handler := commands.NewHandler(store, handlerOpts...)
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	mux := s.routes()
	followMetrics, err := follow.NewMetrics(reg)
	if err != nil {
		s.closeStores()
		return nil, err
	}
	core := &serveCore{
		ctx: bg, dataDir: cfg.data, store: store, rawStore: raw, readDB: s.readDB, runner: s.runner,
		handler: handler, files: files, aggregateCache: cacheEntries(cfg.aggregateCache), limits: cfg.limits, registry: reg, mux: mux, goRun: s.goRun,
		followMetrics: followMetrics,
	}
	core.leaseTTL = cfg.leaseTTL
	if core.leaseTTL <= 0 {
		core.leaseTTL = defaultLeaseTTL
	}
	if cfg.noSingletons {
		core.elect(noSingletons())
	} else {
		core.elect(singletonsFor(raw, cfg.data, core.leaseTTL))
	}
	if err := startComponents(core, components); err != nil {
		s.stopBackground()
		s.closeStores()
		return nil, err
	}

	var adminLn net.Listener
	if cfg.adminAddr != "" {
		if adminLn, err = net.Listen("tcp", cfg.adminAddr); err != nil {
			s.stopBackground()
			s.closeStores()
			return nil, fmt.Errorf("listen on %s (--admin-http): %w", cfg.adminAddr, err)
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		if adminLn != nil {
			_ = adminLn.Close()
		}
		s.stopBackground()
		s.closeStores()
		return nil, fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	s.addr = ln.Addr().String()
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: orDefault(cfg.readHeaderTimeout, defaultReadHeaderTimeout),
		ReadTimeout:       orDefault(cfg.readTimeout, defaultReadTimeout),
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         s.unused.track,
	}
	// Shutdown runs it once the listener is closed: a connection unused
	// by then never will be.
	s.http.RegisterOnShutdown(s.unused.closeAll)
	if adminLn != nil {
		s.adminAddr = adminLn.Addr().String()
		s.admin = &http.Server{
			Handler:           s.adminRoutes(reg),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    maxHeaderBytes,
		}
		s.goRun(func() {
			if err := s.admin.Serve(adminLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("admin http server stopped", "err", err)
			}
		})
	}
	s.goRun(func() { s.runProjections(bg) })
	if cfg.demo {
		s.goRun(func() { s.runDemo(bg, cfg) })
	}
	s.goRun(func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("http server stopped", "err", err)
		}
	})
	return s, nil
}

// startComponents builds every provider's offers, then starts every
// component with all of them.
func startComponents(core *serveCore, components []serveComponent) error {
	var all offers
	for _, c := range components {
		p, ok := c.(provider)
		if !ok {
			continue
		}
		o, err := p.provide(core)
		if err != nil {
			return err
		}
		if err := all.merge(o); err != nil {
			return err
		}
	}
	for _, c := range components {
		if err := c.start(core, all); err != nil {
			return err
		}
	}
	return nil
}

func (s *server) openReadSide(ctx context.Context, cfg serveConfig, reg prometheus.Registerer) error {
	path := filepath.Join(cfg.data, readModelsFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		slog.Info("no read models in the data directory: building every read model from the ledger", "path", path)
	}
	db, err := projections.OpenReadDB(ctx, path, projections.WithCallingCode(cfg.callingCode))
	if err != nil {
		return fmt.Errorf("open read models: %w", err)
	}
	s.readDB = db
	s.runner = projections.NewRunner(s.store, db, slog.Default(), projections.Standard()...)
	if err := s.runner.RegisterMetrics(reg); err != nil {
		_ = db.Close()
		return fmt.Errorf("projection metrics: %w", err)
	}
	return nil
}

func (s *server) goRun(f func()) {
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		f()
	}()
}

// routes is the public listener's mux: the agent desktop at "/" (its
// files and client routes; every more specific pattern wins over it), and
// the components add the API and the channels' webhooks. The operational
// endpoints are not on it: they go on the admin listener (adminRoutes),
// which --admin-http opens.
func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/", app.Handler())
	return mux
}

// adminRoutes is the admin listener's mux: liveness, readiness and
// Prometheus metrics.
func (s *server) adminRoutes(reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	// The runtime's profiles, for what limits a server under load (CPU,
	// heap, goroutines): the admin listener is for operators only.
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "Interaction Ledger admin\n\n/healthz       liveness\n/readyz        readiness (projections caught up)\n/metrics       Prometheus metrics\n/debug/pprof/  runtime profiles (heap, goroutine, profile?seconds=N)\n")
	})
	return mux
}

// healthz answers whether the process can still read its ledger. The
// answer says nothing of why not: that goes to the log.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.store.HeadPosition(ctx); err != nil {
		slog.ErrorContext(ctx, "health check: event store unavailable", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ok\n")
}

// readyz answers whether the read models have caught up with the ledger
// as it was at start-up, so reads are not served from a half-built view.
// How far they are is in the metrics (ledger_projection_lag_events).
func (s *server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

// runProjections keeps the projections running; their follower retries a
// failed batch with backoff (nothing of it was applied) and halts only on
// an event this build cannot read.
func (s *server) runProjections(ctx context.Context) {
	runFollower(ctx, "projections", s.runner.Run)
}

// runFollower runs a follower until shutdown. Followers retry failures
// themselves; what comes back is a halt on an event they cannot handle,
// which needs a build that handles it (the metric
// ledger_follower_halted_position names it).
func runFollower(ctx context.Context, name string, run func(context.Context) error) {
	if err := run(ctx); err != nil && ctx.Err() == nil {
		slog.Error("follower halted; the rest of the server keeps running", "follower", name, "err", err)
	}
}

func (s *server) runDemo(ctx context.Context, cfg serveConfig) {
	traffic := newDemoTraffic(demoConfig{Customers: cfg.customers, Seed: cfg.demoSeed, Workers: 4, Pace: cfg.demoPace, AggregateCache: cacheEntries(cfg.aggregateCache)}, s.store)
	if err := traffic.run(ctx, nil); err != nil && ctx.Err() == nil {
		slog.Error("demo traffic stopped", "err", err)
	}
}

// shutdown stops accepting requests, waits for in-flight ones (up to
// drain), stops the background work and closes the stores; the event store
// finishes every append already accepted before it closes.
func (s *server) shutdown(drain time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	httpErr := s.http.Shutdown(ctx)
	var adminErr error
	if s.admin != nil {
		adminErr = s.admin.Shutdown(ctx)
	}
	s.stopBackground()
	return errors.Join(httpErr, adminErr, s.closeStores())
}

// stopBackground ends the projections, the demo and the components'
// background work, and waits for them.
func (s *server) stopBackground() {
	s.cancel()
	s.workers.Wait()
}

func (s *server) closeStores() error {
	var errs []error
	if s.readDB != nil {
		errs = append(errs, s.readDB.Close())
	}
	errs = append(errs, s.store.Close())
	return errors.Join(errs...)
}

// addAggregateCacheFlag defines --aggregate-cache, the budget of the
// command layer's aggregate state cache.
// cacheOff is serveConfig.aggregateCache for --aggregate-cache 0.
const cacheOff = -1

// cacheEntries is the aggregate cache budget a serveConfig.aggregateCache
// stands for.
func cacheEntries(configured int) int {
	switch {
	case configured == 0:
		return commands.DefaultAggregateCacheEntries
	case configured < 0:
		return 0
	default:
		return configured
	}
}

func addAggregateCacheFlag(fs *flag.FlagSet, entries *int) {
	fs.IntVar(entries, "aggregate-cache", commands.DefaultAggregateCacheEntries,
		"streams whose folded state the command layer keeps in memory, least recently used out first, so a command reads only the events after it; 0: off")
}

// orDefault is d, or def when d is not positive (a serveConfig built in a
// test leaves its durations zero).
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
