// Package appendbench measures an eventstore.Store's append throughput and
// latency under concurrent writers. It backs `ledger bench append` and the
// stores' Go benchmarks.
package appendbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

// Workload says which stream each append goes to.
type Workload string

const (
	// WorkloadRandom sends every append to a stream chosen at random
	// among Config.Streams, with expected version Any: the adversarial
	// case, where the appends of one group commit touch unrelated streams
	// all over the store.
	WorkloadRandom Workload = "random"
	// WorkloadConversations gives each writer a stream of its own (a
	// conversation), appended to with exact expected versions and replaced
	// by a new stream after Config.StreamEvents events, as an interaction
	// is started, messaged, queued, assigned and closed. The live working
	// set is the Writers streams in progress, and new streams are created
	// all the time. Stream names carry a random UUID, as the command
	// layer's derived interaction ids do.
	WorkloadConversations Workload = "conversations"
)

// ParseWorkload returns the workload named s ("random" or
// "conversations"), for command-line flags.
func ParseWorkload(s string) (Workload, error) {
	switch w := Workload(s); w {
	case WorkloadRandom, WorkloadConversations:
		return w, nil
	}
	return "", fmt.Errorf("unknown workload %q: want %s or %s", s, WorkloadRandom, WorkloadConversations)
}

// Config describes a run. Zero values pick the defaults in brackets.
type Config struct {
	// Writers is the number of concurrent appending goroutines [16].
	Writers int
	// Events is the total number of events to append [100000].
	Events int
	// EventsPerAppend is the number of events in each Append call [1].
	EventsPerAppend int
	// Workload says which stream each append goes to [WorkloadRandom].
	Workload Workload
	// Streams is the number of streams WorkloadRandom chooses from
	// [10000].
	Streams int
	// StreamEvents is the number of events after which
	// WorkloadConversations moves a writer on to a new stream [10]; with
	// several events per append, a stream may end a little longer.
	StreamEvents int
	// StreamPrefix names the streams: "<prefix>-<n>" for WorkloadRandom,
	// "<prefix>-<uuid>" for WorkloadConversations ["bench"].
	StreamPrefix string
	// PayloadBytes is the approximate size of each event's data [200].
	PayloadBytes int
	// Seed makes WorkloadRandom's stream choices reproducible [1].
	Seed uint64
	// RandomIDs gives events random UUIDv4 ids, the worst case for the
	// store's id index (deterministic ids derived from channel message ids
	// look the same to it). By default events get time-ordered UUIDv7
	// ids, as the command layer mints when a command has no idempotency
	// key, and the id index grows at its end.
	RandomIDs bool
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Writers, 16)
	def(&c.Events, 100_000)
	def(&c.EventsPerAppend, 1)
	def(&c.Streams, 10_000)
	def(&c.StreamEvents, 10)
	def(&c.PayloadBytes, 200)
	if c.Workload == "" {
		c.Workload = WorkloadRandom
	}
	if c.StreamPrefix == "" {
		c.StreamPrefix = "bench"
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// Latencies summarises Append call latencies.
type Latencies struct {
	P50, P90, P99, P999, Max time.Duration
}

// Result is what a run measured.
type Result struct {
	Config          Config // with defaults filled in
	Events          int    // events appended
	Appends         int    // Append calls made
	Elapsed         time.Duration
	EventsPerSecond float64
	Latency         Latencies
}

func (r Result) String() string {
	l := r.Latency
	ids := "v7"
	if r.Config.RandomIDs {
		ids = "v4"
	}
	return fmt.Sprintf("%d events in %d appends by %d writers (%s workload, %s ids) in %v: %.0f events/s; append latency p50 %v p90 %v p99 %v p99.9 %v max %v",
		r.Events, r.Appends, r.Config.Writers, r.Config.Workload, ids, r.Elapsed.Round(time.Millisecond), r.EventsPerSecond,
		l.P50, l.P90, l.P99, l.P999, l.Max)
}

// Run appends cfg.Events events to store from cfg.Writers goroutines, each
// Append carrying cfg.EventsPerAppend events (the last may carry fewer) to
// a stream cfg.Workload chooses. progress, if not nil, is called from time
// to time with the number of events appended so far, and once at the end.
// The first append error stops the run and is returned.
func Run(ctx context.Context, store eventstore.Store, cfg Config, progress func(done int)) (Result, error) {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	r := &runner{store: store, cfg: cfg, payload: payload(cfg.PayloadBytes), cancel: cancel}
	stop := r.reportProgress(progress)
	start := time.Now()
	var wg sync.WaitGroup
	lat := make([][]time.Duration, cfg.Writers)
	for w := range cfg.Writers {
		wg.Go(func() { lat[w] = r.write(ctx, w) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	if err := r.firstErr(); err != nil {
		return Result{}, err
	}
	if progress != nil {
		progress(int(r.done.Load()))
	}
	all := slices.Concat(lat...)
	return Result{
		Config:          cfg,
		Events:          int(r.done.Load()),
		Appends:         len(all),
		Elapsed:         elapsed,
		EventsPerSecond: float64(r.done.Load()) / elapsed.Seconds(),
		Latency:         summarise(all),
	}, nil
}

// runner is the state writers share during a run.
type runner struct {
	store   eventstore.Store
	cfg     Config
	payload []byte
	claimed atomic.Int64 // events handed to writers
	done    atomic.Int64 // events acknowledged
	cancel  context.CancelFunc
	errMu   sync.Mutex
	err     error
}

// write appends until all events are claimed and returns each call's
// latency.
func (r *runner) write(ctx context.Context, w int) []time.Duration {
	streams := r.chooser(w)
	lat := make([]time.Duration, 0, r.cfg.Events/r.cfg.Writers/r.cfg.EventsPerAppend+1)
	for {
		n := r.claim()
		if n == 0 || ctx.Err() != nil {
			return lat
		}
		stream, expected := streams.next()
		evs := r.events(n)
		t0 := time.Now()
		res, err := r.store.Append(ctx, stream, expected, evs)
		lat = append(lat, time.Since(t0))
		if err != nil {
			r.fail(fmt.Errorf("writer %d: append to %s: %w", w, stream, err))
			return lat
		}
		streams.appended(res, n)
		r.done.Add(int64(n))
	}
}

// streamChooser picks the stream of each of one writer's appends.
type streamChooser interface {
	// next returns the stream and expected version of the next append.
	next() (string, eventstore.ExpectedVersion)
	// appended reports that it appended n events with result res.
	appended(res eventstore.AppendResult, n int)
}

// chooser returns writer w's streamChooser for the configured workload.
func (r *runner) chooser(w int) streamChooser {
	if r.cfg.Workload == WorkloadConversations {
		return &conversation{prefix: r.cfg.StreamPrefix, length: r.cfg.StreamEvents}
	}
	return &randomStreams{prefix: r.cfg.StreamPrefix, n: r.cfg.Streams, rng: rand.New(rand.NewPCG(r.cfg.Seed, uint64(w)))}
}

// randomStreams is WorkloadRandom.
type randomStreams struct {
	prefix string
	n      int
	rng    *rand.Rand
}

func (c *randomStreams) next() (string, eventstore.ExpectedVersion) {
	return fmt.Sprintf("%s-%d", c.prefix, c.rng.IntN(c.n)), eventstore.Any
}

func (c *randomStreams) appended(eventstore.AppendResult, int) {}

// conversation is WorkloadConversations for one writer: its stream is
// started with NoStream, continued with the exact version the last append
// returned, and left for a new one once it holds length events.
type conversation struct {
	prefix   string
	length   int
	stream   string
	held     int // events in stream
	expected eventstore.ExpectedVersion
}

func (c *conversation) next() (string, eventstore.ExpectedVersion) {
	if c.stream == "" || c.held >= c.length {
		c.stream, c.held, c.expected = fmt.Sprintf("%s-%s", c.prefix, uuid.New()), 0, eventstore.NoStream
	}
	return c.stream, c.expected
}

func (c *conversation) appended(res eventstore.AppendResult, n int) {
	c.held += n
	c.expected = eventstore.Exact(res.NextExpectedVersion)
}

// claim takes up to EventsPerAppend of the remaining events.
func (r *runner) claim() int {
	per := int64(r.cfg.EventsPerAppend)
	end := r.claimed.Add(per)
	start := end - per
	total := int64(r.cfg.Events)
	if start >= total {
		return 0
	}
	return int(min(end, total) - start)
}

func (r *runner) events(n int) []eventstore.EventData {
	evs := make([]eventstore.EventData, n)
	for i := range evs {
		id := uuid.Must(uuid.NewV7())
		if r.cfg.RandomIDs {
			id = uuid.New()
		}
		evs[i] = eventstore.EventData{
			ID:       id,
			Type:     "BenchmarkEventRecorded",
			Schema:   1,
			Data:     r.payload,
			Metadata: []byte(`{"actor":"bench"}`),
		}
	}
	return evs
}

func (r *runner) fail(err error) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if r.err == nil {
		r.err = err
		r.cancel()
	}
}

func (r *runner) firstErr() error {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.err
}

// reportProgress calls progress every 200ms until the returned stop.
func (r *runner) reportProgress(progress func(int)) (stop func()) {
	if progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				progress(int(r.done.Load()))
			case <-done:
				return
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// payload returns a JSON object of about n bytes.
func payload(n int) []byte {
	const head, tail = `{"body":"`, `"}`
	fill := max(n-len(head)-len(tail), 0)
	b := make([]byte, 0, len(head)+fill+len(tail))
	b = append(b, head...)
	for i := range fill {
		b = append(b, 'a'+byte(i%26))
	}
	return append(b, tail...)
}

// summarise returns the percentiles of lat (which it sorts).
func summarise(lat []time.Duration) Latencies {
	if len(lat) == 0 {
		return Latencies{}
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration {
		i := int(q * float64(len(lat)-1))
		return lat[i]
	}
	return Latencies{P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999), Max: lat[len(lat)-1]}
}
