package commands

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// The tests of the aggregate state cache. The central one,
// TestCachedDecisionsEqualColdDecisions, is issue #12's proof that the
// cache is never wrong: handlers with their own caches interleave commands
// on the same streams, and every answer is checked against what a handler
// without a cache decides on the stream as it stood at that version.

var cacheT0 = time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)

func openTestStore(t testing.TB) eventstore.Store {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// cacheHandler returns a handler on store deciding at cacheT0 with an
// aggregate cache of entries (0: none).
func cacheHandler(store eventstore.Store, entries int) *Handler {
	return NewHandler(store, WithClock(func() time.Time { return cacheT0 }), WithLogger(slog.New(slog.DiscardHandler)), WithAggregateCache(entries))
}

// foldTo folds stream up to version (inclusive) as a handler without a
// cache does, looking for watch like load.
func foldTo[S, C any](ctx context.Context, store eventstore.Store, agg aggregate[S, C], id string, version int64, watch uuid.UUID) (loaded[S], error) {
	stream := agg.stream(id)
	out := loaded[S]{state: agg.initial(id), version: -1}
	for out.version < version {
		page, err := store.ReadStream(ctx, stream, out.version+1, readPage)
		if err != nil {
			return out, err
		}
		if len(page) == 0 {
			break
		}
		for _, rec := range page {
			if rec.Version > version {
				return out, nil
			}
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return out, err
			}
			out.state = agg.evolve(out.state, e)
			out.version = rec.Version
			if watch != uuid.Nil && rec.ID == watch {
				out.appliedAt = rec.Position
			}
		}
	}
	return out, nil
}

// claim is the events one successful command reports it appended.
type claim struct {
	stream string
	first  int64 // version of the first event
	events []domain.Event
	key    string
}

// checkedRun executes commands and checks each answer against a cold
// decision; it collects what the commands say they appended.
type checkedRun struct {
	t     *testing.T
	store eventstore.Store
	cold  *Handler // without a cache

	mu        sync.Mutex
	claims    []claim
	contended int
	checked   int
	outcomes  map[string]int // appended, unchanged, refused, retry answered
}

// step executes cmds on h and checks the answer: the state returned
// equals the cold fold of the stream at the version returned, and the
// decision (events, error, or the answer to a retry) equals the one
// made on the cold fold of the stream at the version it was made on.
func step[S, C any](ctx context.Context, r *checkedRun, h *Handler, agg aggregate[S, C], id string, meta Meta, cmds ...C) {
	t := r.t
	stream := agg.stream(id)
	name := commandName(cmds[0])
	var watch uuid.UUID
	if meta.IdempotencyKey != "" {
		watch = agg.eventIDs()(meta.IdempotencyKey, stream, name, 0)
	}
	res, state, err := execute(ctx, h, agg, id, meta, cmds...)
	if err != nil && isCode(err, domain.ECONFLICT) && eventstore.IsVersionConflict(err) {
		// Contention outlasted the retries: nothing was written.
		r.mu.Lock()
		r.contended++
		r.mu.Unlock()
		return
	}
	at := res.Version - int64(len(res.Events))
	cold, ferr := foldTo(ctx, r.store, agg, id, at, watch)
	if ferr != nil {
		t.Errorf("cold fold of %s: %v", stream, ferr)
		return
	}
	if cold.version != at {
		t.Errorf("%s on %s: decided at version %d, the stream has no such version (cold fold reached %d)", name, stream, at, cold.version)
		return
	}
	plan := func(loaded[S]) []C { return cmds }
	var (
		wantEvents []domain.Event
		wantState  S
		wantErr    error
		wantPos    uint64
	)
	if cold.appliedAt != 0 {
		var wres Result
		wres, wantState, wantErr = answerApplied(agg, cold, stream, name, plan, cacheT0)
		wantPos = wres.Position
	} else {
		wantEvents, wantState, wantErr = decideAll(agg, agg.copyState(cold.state), cmds, cacheT0)
		if wantErr != nil {
			wantErr = fmt.Errorf("%s on %s: %w", name, stream, wantErr)
			wantState = cold.state
			wantEvents = nil
		}
	}
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Errorf("%s on %s at version %d: error %v, cold decision %v", name, stream, at, err, wantErr)
	}
	if !reflect.DeepEqual(res.Events, wantEvents) {
		t.Errorf("%s on %s at version %d: events %#v, cold decision %#v", name, stream, at, res.Events, wantEvents)
	}
	if cold.appliedAt != 0 && res.Position != wantPos {
		t.Errorf("%s on %s: retry answered at position %d, the first request wrote at %d", name, stream, res.Position, wantPos)
	}
	if !reflect.DeepEqual(state, wantState) {
		t.Errorf("%s on %s at version %d: state %+v, cold state %+v", name, stream, at, state, wantState)
	}
	// The state returned is the stream's at the version returned.
	after, ferr := foldTo(ctx, r.store, agg, id, res.Version, uuid.Nil)
	if ferr != nil || after.version != res.Version || !reflect.DeepEqual(state, after.state) {
		t.Errorf("%s on %s: state at version %d differs from the cold fold at %d (%v)", name, stream, res.Version, after.version, ferr)
	}
	// And, when no other command moved the stream since, so does the load
	// of a handler without a cache (the production path, not foldTo).
	if cur, err := load(ctx, r.cold, agg, id, uuid.Nil); err != nil {
		t.Errorf("cold load of %s: %v", stream, err)
	} else if cur.version == res.Version && !reflect.DeepEqual(cur.state, state) {
		t.Errorf("%s on %s: state at version %d differs from a cold handler's load", name, stream, res.Version)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked++
	if r.outcomes == nil {
		r.outcomes = map[string]int{}
	}
	switch {
	case cold.appliedAt != 0:
		r.outcomes["retry answered"]++
	case err != nil:
		r.outcomes["refused"]++
	case len(res.Events) == 0:
		r.outcomes["unchanged"]++
	default:
		r.outcomes["appended"]++
	}
	if err == nil && len(res.Events) > 0 {
		r.claims = append(r.claims, claim{stream: stream, first: at + 1, events: res.Events, key: meta.IdempotencyKey})
	}
}

// randomOp returns a random command on a random stream, as a function of
// the handler to run it on (so a retry can be sent to another handler).
func randomOp(ctx context.Context, r *checkedRun, rng *rand.Rand, g, n int) (func(*Handler), bool) {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	meta := Meta{Actor: "agent:test"}
	keyed := rng.IntN(10) < 5
	if keyed {
		meta.IdempotencyKey = fmt.Sprintf("key-%d-%d", g, n)
	}
	const streams = 3
	id := func(kind string) string { return fmt.Sprintf("%s-%d", kind, rng.IntN(streams)) }
	agent := id("agent")
	switch rng.IntN(4) {
	case 0:
		c := id("cust")
		var cmd domain.CustomerCommand
		switch rng.IntN(6) {
		case 0:
			cmd = domain.RegisterCustomer{CustomerID: c, DisplayName: "Li Wei", Tier: domain.TierStandard}
		case 1:
			cmd = domain.RenameCustomer{DisplayName: pick("Li Wei", "Wang Fang", "Zhang Min")}
		case 2:
			cmd = domain.ChangeTier{Tier: domain.Tier(pick(string(domain.TierStandard), string(domain.TierSilver), string(domain.TierGold)))}
		case 3, 4:
			cmd = domain.TagCustomer{Tag: pick("vip", "churn-risk", "b2b", "new")}
		default:
			cmd = domain.UntagCustomer{Tag: pick("vip", "churn-risk", "b2b", "new")}
		}
		return func(h *Handler) { step(ctx, r, h, customers, c, meta, cmd) }, keyed
	case 1:
		i := id("int")
		var cmds []domain.InteractionCommand
		for range 1 + rng.IntN(2) {
			switch rng.IntN(7) {
			case 0:
				cmds = append(cmds, domain.StartInteraction{InteractionID: i, CustomerID: "cust-0", Channel: domain.ChannelWebchat, Identity: domain.Identity{Kind: domain.IdentityEmail, Value: "li.wei@example.com"}})
			case 1, 2:
				cmds = append(cmds, domain.ReceiveMessage{MessageID: fmt.Sprintf("m-%d", rng.IntN(20)), Text: pick("hello", "where is my parcel", "thanks")})
			case 3:
				cmds = append(cmds, domain.SendMessage{MessageID: fmt.Sprintf("s-%d", rng.IntN(20)), AgentID: agent, Text: "on it"})
			case 4:
				cmds = append(cmds, domain.QueueInteraction{Queue: pick("billing", "tech"), Priority: domain.PriorityNormal})
			case 5:
				cmds = append(cmds, domain.AssignInteraction{AgentID: agent})
			default:
				cmds = append(cmds, domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: agent})
			}
		}
		return func(h *Handler) { step(ctx, r, h, interactions, i, meta, cmds...) }, keyed
	case 2:
		tk := id("tk")
		var cmd domain.TicketCommand
		switch rng.IntN(6) {
		case 0:
			cmd = domain.OpenTicket{TicketID: tk, Number: "T-" + tk, CustomerID: "cust-0", Category: domain.CategoryInquiry, Priority: domain.PriorityNormal, Subject: "parcel"}
		case 1:
			cmd = domain.AssignTicket{AgentID: agent}
		case 2:
			cmd = domain.AddTicketNote{AuthorID: agent, Text: "called back"}
		case 3:
			cmd = domain.ChangeTicketStatus{To: domain.TicketStatus(pick(string(domain.TicketStatusInProgress), string(domain.TicketStatusPendingCustomer)))}
		case 4:
			cmd = domain.AddCollaborator{Collaborator: domain.Collaborator{Department: pick("logistics", "finance", "legal")}}
		default:
			cmd = domain.LinkTicketInteraction{InteractionID: id("int")}
		}
		return func(h *Handler) { step(ctx, r, h, tickets, tk, meta, cmd) }, keyed
	default:
		var cmd domain.AgentCommand
		switch rng.IntN(5) {
		case 0:
			cmd = domain.RegisterAgent{AgentID: agent, Name: "Chen", Skills: map[string]int{"billing": 5}, Capacity: map[domain.Channel]int{domain.ChannelWebchat: 2}}
		case 1:
			cmd = domain.ChangePresence{Presence: domain.Presence(pick(string(domain.PresenceAvailable), string(domain.PresenceBusy), string(domain.PresenceBreak)))}
		case 2:
			cmd = domain.ChangeAgentSkills{Skills: map[string]int{pick("billing", "tech"): 1 + rng.IntN(9)}, Capacity: map[domain.Channel]int{domain.ChannelWebchat: 1 + rng.IntN(3)}}
		case 3:
			cmd = domain.ReserveWork{InteractionID: id("int"), Channel: domain.ChannelWebchat}
		default:
			cmd = domain.ReleaseWork{InteractionID: id("int")}
		}
		return func(h *Handler) { step(ctx, r, h, agents, agent, meta, cmd) }, keyed
	}
}

func TestCachedDecisionsEqualColdDecisions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		goroutines int
		ops        int
		// rememberIDs, when set, bounds the derived ids an entry keeps,
		// so that retries also meet entries that cannot tell.
		rememberIDs int
	}{
		{"sequential", 1, 300, 0},
		{"concurrent", 4, 120, 0},
		{"concurrent, few ids remembered", 4, 120, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rememberIDs > 0 {
				defer func(n int) { maxRememberedIDs = n }(maxRememberedIDs)
				maxRememberedIDs = tc.rememberIDs
			}
			ctx := t.Context()
			store := openTestStore(t)
			// Half the streams exist before the handlers start, so that
			// most commands are valid; the others are created (or refused)
			// on the way.
			setup := cacheHandler(store, 0)
			run := &checkedRun{t: t, store: store, cold: setup}
			email := domain.Identity{Kind: domain.IdentityEmail, Value: "li.wei@example.com"}
			for i := range 2 {
				c, it, tk, a := fmt.Sprintf("cust-%d", i), fmt.Sprintf("int-%d", i), fmt.Sprintf("tk-%d", i), fmt.Sprintf("agent-%d", i)
				step(ctx, run, setup, customers, c, Meta{}, domain.CustomerCommand(domain.RegisterCustomer{CustomerID: c, DisplayName: "Li Wei", Tier: domain.TierStandard}))
				step(ctx, run, setup, interactions, it, Meta{}, domain.InteractionCommand(domain.StartInteraction{InteractionID: it, CustomerID: c, Channel: domain.ChannelWebchat, Identity: email}))
				step(ctx, run, setup, tickets, tk, Meta{}, domain.TicketCommand(domain.OpenTicket{TicketID: tk, Number: "T-" + tk, CustomerID: c, Category: domain.CategoryInquiry, Priority: domain.PriorityNormal, Subject: "parcel"}))
				step(ctx, run, setup, agents, a, Meta{}, domain.AgentCommand(domain.RegisterAgent{AgentID: a, Name: "Chen", Skills: map[string]int{"billing": 5}, Capacity: map[domain.Channel]int{domain.ChannelWebchat: 2}}))
			}
			if len(run.claims) != 8 {
				t.Fatalf("setup wrote %d of 8 streams", len(run.claims))
			}
			// Two handlers, each with its own cache: one roomy, one so
			// small that its entries are evicted all the time.
			handlers := []*Handler{cacheHandler(store, 1000), cacheHandler(store, 3)}
			var (
				wg      sync.WaitGroup
				replays sync.Map // key -> op, for retries of keyed requests
				keys    []string
				keysMu  sync.Mutex
			)
			for g := range tc.goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(12, uint64(g)))
					for n := range tc.ops {
						h := handlers[rng.IntN(len(handlers))]
						keysMu.Lock()
						replay := len(keys) > 0 && rng.IntN(10) < 3
						var key string
						if replay {
							key = keys[rng.IntN(len(keys))]
						}
						keysMu.Unlock()
						if replay {
							// A retry of an earlier request, maybe on the
							// other handler.
							op, _ := replays.Load(key)
							op.(func(*Handler))(h)
							continue
						}
						op, keyed := randomOp(ctx, run, rng, g, n)
						op(h)
						if keyed {
							key := fmt.Sprintf("key-%d-%d", g, n)
							replays.Store(key, op)
							keysMu.Lock()
							keys = append(keys, key)
							keysMu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			checkClaims(t, store, run.claims)
			// Every stream as the caches hold it equals a cold fold.
			for _, h := range handlers {
				for i := range 3 {
					checkFinal(t, h, store, customers, fmt.Sprintf("cust-%d", i))
					checkFinal(t, h, store, interactions, fmt.Sprintf("int-%d", i))
					checkFinal(t, h, store, tickets, fmt.Sprintf("tk-%d", i))
					checkFinal(t, h, store, agents, fmt.Sprintf("agent-%d", i))
				}
			}
			for i, h := range handlers {
				hits := counterValue(h.metrics.cacheHits)
				if hits == 0 {
					t.Errorf("handler %d: no cache hits: the test did not exercise the cache", i)
				}
				t.Logf("handler %d: %v hits, %v misses, %v idempotency misses, %v budget evictions, %v conflict evictions", i, hits,
					counterValue(h.metrics.cacheMisses.WithLabelValues("absent")),
					counterValue(h.metrics.cacheMisses.WithLabelValues("idempotency")),
					counterValue(h.metrics.cacheEvictions.WithLabelValues("budget")),
					counterValue(h.metrics.cacheEvictions.WithLabelValues("conflict")))
			}
			t.Logf("%d commands checked against cold decisions (%v), %d gave up on contention", run.checked, run.outcomes, run.contended)
		})
	}
}

// checkClaims checks that the streams hold exactly the events the
// successful commands reported: none lost, none written twice. Two claims
// on one version are the same request answered twice by the store (same
// idempotency key, same events).
func checkClaims(t *testing.T, store eventstore.Store, claims []claim) {
	t.Helper()
	type at struct {
		stream  string
		version int64
	}
	claimed := map[at]claim{}
	streams := map[string]bool{}
	for _, c := range claims {
		streams[c.stream] = true
		for i, e := range c.events {
			v := at{c.stream, c.first + int64(i)}
			if prev, ok := claimed[v]; ok {
				if prev.key == "" || prev.key != c.key {
					t.Errorf("%s version %d claimed by two commands (keys %q and %q)", c.stream, v.version, prev.key, c.key)
				}
				continue
			}
			claimed[v] = c
			_ = e
		}
	}
	for stream := range streams {
		recs, err := store.ReadStream(t.Context(), stream, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			c, ok := claimed[at{stream, rec.Version}]
			if !ok {
				t.Errorf("%s version %d (%s) was written, no command reported it", stream, rec.Version, rec.Type)
				continue
			}
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.events[rec.Version-c.first]; !reflect.DeepEqual(e, want) {
				t.Errorf("%s version %d: stored %#v, the command reported %#v", stream, rec.Version, e, want)
			}
			delete(claimed, at{stream, rec.Version})
		}
	}
	for v := range claimed {
		t.Errorf("%s version %d was reported written and is not in the stream", v.stream, v.version)
	}
}

// checkFinal checks that h's load of a stream equals the cold fold.
func checkFinal[S, C any](t *testing.T, h *Handler, store eventstore.Store, agg aggregate[S, C], id string) {
	t.Helper()
	got, err := load(t.Context(), h, agg, id, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := foldTo(t.Context(), store, agg, id, 1<<62, uuid.Nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.version != want.version || !reflect.DeepEqual(got.state, want.state) {
		t.Errorf("%s: cached load at %d %+v, cold fold at %d %+v", agg.stream(id), got.version, got.state, want.version, want.state)
	}
}

func TestAggregateCacheEvictsLeastRecentlyUsedOverBudget(t *testing.T) {
	ctx := t.Context()
	h := cacheHandler(openTestStore(t), 2)
	register := func(id string) {
		t.Helper()
		if _, err := h.UpdateCustomer(ctx, id, domain.RegisterCustomer{CustomerID: id, DisplayName: "Li Wei", Tier: domain.TierStandard}, Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	register("c1")
	register("c2")
	if _, err := h.LoadCustomer(ctx, "c1"); err != nil { // c1 is now the most recent
		t.Fatal(err)
	}
	register("c3") // over budget: c2 goes
	if n := h.cache.len(); n != 2 {
		t.Fatalf("entries = %d, want the budget of 2", n)
	}
	for stream, want := range map[string]bool{"customer-c1": true, "customer-c2": false, "customer-c3": true} {
		if _, ok := h.cache.get(stream); ok != want {
			t.Errorf("%s cached = %v, want %v", stream, ok, want)
		}
	}
	if n := counterValue(h.metrics.cacheEvictions.WithLabelValues("budget")); n != 1 {
		t.Errorf("budget evictions = %v, want 1", n)
	}
	// The evicted stream loads cold and right.
	c, err := h.LoadCustomer(ctx, "c2")
	if err != nil || c.ID != "c2" || !c.Registered {
		t.Fatalf("LoadCustomer(c2) = %+v, %v", c, err)
	}
	// 0 disables the cache.
	off := cacheHandler(h.store, 0)
	if off.cache != nil {
		t.Fatal("WithAggregateCache(0) left a cache")
	}
	if c, err := off.LoadCustomer(ctx, "c3"); err != nil || !c.Registered {
		t.Fatalf("LoadCustomer without a cache = %+v, %v", c, err)
	}
}

// racingStore appends a competing event to a stream just before the
// first append of the handler under test, as a second node would, and
// records where the stream reads after the race began.
type racingStore struct {
	eventstore.Store
	once  sync.Once
	race  func()
	mu    sync.Mutex
	raced bool
	reads []int64 // the from of each ReadStream after the race
}

func (s *racingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	s.once.Do(func() {
		s.race()
		s.mu.Lock()
		s.raced = true
		s.mu.Unlock()
	})
	return s.Store.Append(ctx, stream, expected, events)
}

func (s *racingStore) ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	if s.raced {
		s.reads = append(s.reads, from)
	}
	s.mu.Unlock()
	return s.Store.ReadStream(ctx, stream, from, max)
}

func TestAggregateCacheConflictRetriesOnFreshState(t *testing.T) {
	ctx := t.Context()
	store := openTestStore(t)
	other := cacheHandler(store, 100)
	if _, err := other.UpdateCustomer(ctx, "c1", domain.RegisterCustomer{CustomerID: "c1", DisplayName: "Li Wei", Tier: domain.TierStandard}, Meta{}); err != nil {
		t.Fatal(err)
	}
	racing := &racingStore{Store: store}
	h := cacheHandler(racing, 100)
	if _, err := h.LoadCustomer(ctx, "c1"); err != nil { // cached at version 0
		t.Fatal(err)
	}
	racing.race = func() {
		if _, err := other.UpdateCustomer(ctx, "c1", domain.TagCustomer{Tag: "vip"}, Meta{}); err != nil {
			t.Error(err)
		}
	}
	// Decided on version 0 (no tags), the append meets version 1: the
	// entry stays, and the retry decides on the fresh state, reading only
	// what the winner appended after the entry's version.
	res, state, err := execute(ctx, h, customers, "c1", Meta{}, domain.CustomerCommand(domain.TagCustomer{Tag: "b2b"}))
	if err != nil {
		t.Fatal(err)
	}
	if n := counterValue(h.metrics.cacheEvictions.WithLabelValues("conflict")); n != 0 {
		t.Errorf("conflict evictions = %v, want 0", n)
	}
	if !reflect.DeepEqual(racing.reads, []int64{1}) {
		t.Errorf("the retry read the stream from versions %v, want from 1 only (the winner's event)", racing.reads)
	}
	if n := counterValue(h.metrics.retries.WithLabelValues("TagCustomer")); n != 1 {
		t.Errorf("retries = %v, want 1", n)
	}
	if res.Version != 2 || !reflect.DeepEqual(state.Tags, []string{"vip", "b2b"}) {
		t.Fatalf("after the retry: version %d, tags %v; want 2, [vip b2b]", res.Version, state.Tags)
	}
	// The entry now holds what the store confirmed.
	e, ok := h.cache.get("customer-c1")
	if !ok || e.version != 2 || !reflect.DeepEqual(e.state.(domain.Customer).Tags, []string{"vip", "b2b"}) {
		t.Fatalf("cache entry after the retry = %+v, %v", e, ok)
	}
}

func TestAggregateCacheStateIsNotShared(t *testing.T) {
	ctx := t.Context()
	store := openTestStore(t)
	h := cacheHandler(store, 100)
	cold := cacheHandler(store, 0)
	if _, err := h.Agent(ctx, "a1", domain.RegisterAgent{AgentID: "a1", Name: "Chen", Skills: map[string]int{"billing": 5}, Capacity: map[domain.Channel]int{domain.ChannelWebchat: 2}}, Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Agent(ctx, "a1", domain.ChangePresence{Presence: domain.PresenceAvailable}, Meta{}); err != nil {
		t.Fatal(err)
	}
	_, agent, err := execute(ctx, h, agents, "a1", Meta{}, domain.AgentCommand(domain.ReserveWork{InteractionID: "i1", Channel: domain.ChannelWebchat}))
	if err != nil {
		t.Fatal(err)
	}
	// A caller scribbles on every map of the states it was handed: the
	// one execute returned (the cache stored it), and one from a cache hit.
	agent.Skills["billing"] = 1
	agent.Capacity[domain.ChannelWebchat] = 99
	agent.Work["i9"] = domain.WorkHold{Channel: domain.ChannelPhone}
	hit, err := h.LoadAgent(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	hit.Skills["tech"] = 9
	delete(hit.Work, "i1")

	if _, err := h.UpdateCustomer(ctx, "c1", domain.RegisterCustomer{CustomerID: "c1", DisplayName: "Li Wei", Tier: domain.TierStandard}, Meta{}); err != nil {
		t.Fatal(err)
	}
	_, cust, err := execute(ctx, h, customers, "c1", Meta{}, domain.CustomerCommand(domain.TagCustomer{Tag: "vip"}))
	if err != nil {
		t.Fatal(err)
	}
	cust.Tags[0] = "scribbled"

	for _, check := range []struct {
		name      string
		got, want func() (any, error)
	}{
		{"agent", func() (any, error) { return h.LoadAgent(ctx, "a1") }, func() (any, error) { return cold.LoadAgent(ctx, "a1") }},
		{"customer", func() (any, error) { return h.LoadCustomer(ctx, "c1") }, func() (any, error) { return cold.LoadCustomer(ctx, "c1") }},
	} {
		got, err := check.got()
		if err != nil {
			t.Fatal(err)
		}
		want, err := check.want()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cached %+v, cold %+v: the cache shares memory with its callers", check.name, got, want)
		}
	}
	if counterValue(h.metrics.cacheHits) < 3 {
		t.Errorf("cache hits = %v: the loads did not come from the cache", counterValue(h.metrics.cacheHits))
	}
}

// Every aggregate whose state holds maps, slices or pointers has a clone,
// or the cache would hand one state to many callers.
func TestAggregatesWithReferenceStateClone(t *testing.T) {
	check := func(name string, typ reflect.Type, hasClone bool) {
		if refs(typ) && !hasClone {
			t.Errorf("%s: %s holds maps or slices and the aggregate has no clone", name, typ)
		}
	}
	check("customers", reflect.TypeFor[domain.Customer](), customers.clone != nil)
	check("interactions", reflect.TypeFor[domain.Interaction](), interactions.clone != nil)
	check("tickets", reflect.TypeFor[domain.Ticket](), tickets.clone != nil)
	check("agents", reflect.TypeFor[domain.Agent](), agents.clone != nil)
	check("reservations", reflect.TypeFor[domain.IdentityReservation](), reservations.clone != nil)
	check("conversations", reflect.TypeFor[domain.Conversation](), conversations.clone != nil)
	check("ticketNumbers", reflect.TypeFor[domain.TicketNumber](), ticketNumbers.clone != nil)
	check("subscriptions", reflect.TypeFor[domain.Subscription](), subscriptions.clone != nil)
	check("qaReviews", reflect.TypeFor[domain.QaReview](), qaReviews.clone != nil)
	check("deliveries", reflect.TypeFor[domain.Deliveries](), deliveries.clone != nil)
	check("slaClocks", reflect.TypeFor[domain.SlaClocks](), slaClocks.clone != nil)
}

// refs reports whether values of typ can share memory.
func refs(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
		return true
	case reflect.Array:
		return refs(typ.Elem())
	case reflect.Struct:
		if typ == reflect.TypeFor[time.Time]() {
			return false
		}
		for i := range typ.NumField() {
			if refs(typ.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

func TestAggregateCacheAnswersIdempotentRetries(t *testing.T) {
	ctx := t.Context()
	store := openTestStore(t)
	h := cacheHandler(store, 100)
	meta := func(key string) Meta { return Meta{IdempotencyKey: key} }
	if _, err := h.UpdateCustomer(ctx, "c1", domain.RegisterCustomer{CustomerID: "c1", DisplayName: "Li Wei", Tier: domain.TierStandard}, meta("reg")); err != nil {
		t.Fatal(err)
	}
	first, err := h.UpdateCustomer(ctx, "c1", domain.TagCustomer{Tag: "vip"}, meta("tag-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.UpdateCustomer(ctx, "c1", domain.UntagCustomer{Tag: "vip"}, Meta{}); err != nil {
		t.Fatal(err)
	}
	// The retry is answered with what the first request wrote (not
	// decided again on the later state, which would tag once more), from
	// the cache.
	hits := counterValue(h.metrics.cacheHits)
	again, err := h.UpdateCustomer(ctx, "c1", domain.TagCustomer{Tag: "vip"}, meta("tag-1"))
	if err != nil {
		t.Fatal(err)
	}
	if again.Position != first.Position || len(again.Events) != 0 || again.Version != 2 {
		t.Fatalf("retry = %+v, want position %d, no events, version 2", again, first.Position)
	}
	if counterValue(h.metrics.cacheHits) != hits+1 || counterValue(h.metrics.cacheMisses.WithLabelValues("idempotency")) != 0 {
		t.Fatal("the retry was not answered from the cache")
	}
	// A new key on a stream the entry knows every derived id of is a
	// cache hit too, and is applied.
	res, err := h.UpdateCustomer(ctx, "c1", domain.TagCustomer{Tag: "b2b"}, meta("tag-2"))
	if err != nil || len(res.Events) != 1 {
		t.Fatalf("new key: %+v, %v", res, err)
	}

	// A stream longer than the entry remembers ids for: a retry of a
	// request older than those ids loads the whole stream, and is still
	// recognised.
	defer func(n int) { maxRememberedIDs = n }(maxRememberedIDs)
	maxRememberedIDs = 16
	oldest, err := h.UpdateCustomer(ctx, "c2", domain.RegisterCustomer{CustomerID: "c2", DisplayName: "Wang Fang", Tier: domain.TierStandard}, meta("c2-reg"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxRememberedIDs + 5 {
		if _, err := h.UpdateCustomer(ctx, "c2", domain.RenameCustomer{DisplayName: fmt.Sprintf("Wang Fang %d", i)}, meta(fmt.Sprintf("c2-rename-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	e, _ := h.cache.get("customer-c2")
	if len(e.ids.ids) != maxRememberedIDs || e.ids.from == 0 {
		t.Fatalf("entry remembers %d ids from version %d; want %d, not from 0", len(e.ids.ids), e.ids.from, maxRememberedIDs)
	}
	misses := counterValue(h.metrics.cacheMisses.WithLabelValues("idempotency"))
	retry, err := h.UpdateCustomer(ctx, "c2", domain.RegisterCustomer{CustomerID: "c2", DisplayName: "Wang Fang", Tier: domain.TierStandard}, meta("c2-reg"))
	if err != nil || retry.Position != oldest.Position || len(retry.Events) != 0 {
		t.Fatalf("retry of the oldest request = %+v, %v; want position %d, no events", retry, err, oldest.Position)
	}
	if n := counterValue(h.metrics.cacheMisses.WithLabelValues("idempotency")); n != misses+1 {
		t.Errorf("idempotency misses = %v, want %v", n, misses+1)
	}
	// A recent retry on the long stream is still answered from the cache.
	last := fmt.Sprintf("c2-rename-%d", maxRememberedIDs+4)
	hits = counterValue(h.metrics.cacheHits)
	if r, err := h.UpdateCustomer(ctx, "c2", domain.RenameCustomer{DisplayName: fmt.Sprintf("Wang Fang %d", maxRememberedIDs+4)}, meta(last)); err != nil || len(r.Events) != 0 {
		t.Fatalf("recent retry = %+v, %v", r, err)
	}
	if counterValue(h.metrics.cacheHits) != hits+1 {
		t.Error("the recent retry was not answered from the cache")
	}
}

func TestSeenIDsKeepTheMostRecent(t *testing.T) {
	var s seenIDs
	ids := make([]uuid.UUID, maxRememberedIDs+10)
	for i := range ids {
		ids[i] = eventID(fmt.Sprint(i), "s", "c", 0)
		s = s.add(ids[i], int64(i), uint64(100+i))
		s = s.add(newV7(), int64(i), 0) // ids made without a key are not kept
	}
	if len(s.ids) != maxRememberedIDs || s.from != 10 {
		t.Fatalf("kept %d ids from version %d, want %d from 10", len(s.ids), s.from, maxRememberedIDs)
	}
	if pos, known := s.find(ids[len(ids)-1]); !known || pos != uint64(100+len(ids)-1) {
		t.Errorf("latest id: %d, %v", pos, known)
	}
	if _, known := s.find(ids[0]); known {
		t.Error("a dropped id is reported as known")
	}
	var all seenIDs
	all = all.add(ids[0], 0, 100)
	if pos, known := all.find(eventID("other", "s", "c", 0)); !known || pos != 0 {
		t.Errorf("absent id on a complete set: %d, %v; want 0, known", pos, known)
	}
	if _, known := all.find(newV7()); known {
		t.Error("a v7 watch is reported as known")
	}
}

// counterValue reads a counter.
func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
