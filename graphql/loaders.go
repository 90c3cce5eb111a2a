package graphql

import (
	"context"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

// loaders batch the lookups of one request by id: the customers of a page
// of tickets are read in one batch, not one query each. They cache for the
// request only; subscriptions, which live long, read without them so an
// update is never answered from an old cache.
type loaders struct {
	customers *loader[projections.Customer]
	// customerDetails are the tags and identities, read only for the
	// requests that ask for them.
	customerDetails *loader[projections.Customer]
	interactions    *loader[projections.Interaction]
	agents          *loader[projections.Agent]
}

// loader is a request's data loader of one kind, with the batch read
// behind it (counted in the metrics), which prime runs directly.
type loader[V any] struct {
	*dataloader.Loader[string, V]
	fetch func(context.Context, []string) (map[string]V, error)
}

func newLoaders(r *resolver, m *metrics, wait time.Duration) *loaders {
	return &loaders{
		customers:       newLoader(r.db.CustomersByID, "customer", m, wait),
		customerDetails: newLoader(r.db.CustomerDetailsByID, "customer details", m, wait),
		interactions:    newLoader(r.db.InteractionsByID, "interaction", m, wait),
		agents:          newLoader(r.agentsByID, "agent", m, wait),
	}
}

func newLoader[V any](fetch func(context.Context, []string) (map[string]V, error), kind string, m *metrics, wait time.Duration) *loader[V] {
	counted := func(ctx context.Context, ids []string) (map[string]V, error) {
		m.batches.WithLabelValues(kind).Inc()
		m.batchKeys.WithLabelValues(kind).Add(float64(len(ids)))
		return fetch(ctx, ids)
	}
	return &loader[V]{
		Loader: dataloader.NewBatchedLoader(batchByID(counted, kind),
			dataloader.WithWait[string, V](wait),
			dataloader.WithBatchCapacity[string, V](projections.MaxBatchIDs)),
		fetch: counted,
	}
}

// batchByID adapts a lookup of many ids to a dataloader batch function;
// an id the lookup did not find is a NOT_FOUND error for that key only.
func batchByID[V any](fetch func(context.Context, []string) (map[string]V, error), kind string) dataloader.BatchFunc[string, V] {
	return func(ctx context.Context, keys []string) []*dataloader.Result[V] {
		found, err := fetch(ctx, keys)
		out := make([]*dataloader.Result[V], len(keys))
		for i, k := range keys {
			v, ok := found[k]
			switch {
			case err != nil:
				out[i] = &dataloader.Result[V]{Error: err}
			case !ok:
				out[i] = &dataloader.Result[V]{Error: domain.Errorf(domain.ENOTFOUND, "%s %s not found", kind, k)}
			default:
				out[i] = &dataloader.Result[V]{Data: v}
			}
		}
		return out
	}
}

type loadersKey struct{}

func withLoaders(ctx context.Context, l *loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// loaders returns the request's loaders for r's reads: none for a
// resolver over as-of read models, which the loaders do not read.
func (r *resolver) loaders(ctx context.Context) *loaders {
	if r.historical {
		return nil
	}
	return loadersFrom(ctx)
}

// loadOne reads one entity through the request's loader, or directly when
// the request has none (subscriptions).
func loadOne[V any](ctx context.Context, l *loader[V], fetch func(context.Context, []string) (map[string]V, error), kind, id string) (V, error) {
	if l != nil {
		return l.Load(ctx, id)()
	}
	var zero V
	found, err := fetch(ctx, []string{id})
	if err != nil {
		return zero, err
	}
	v, ok := found[id]
	if !ok {
		return zero, domain.Errorf(domain.ENOTFOUND, "%s %s not found", kind, id)
	}
	return v, nil
}

// prime reads, in one batch and at once, the entities a whole list of
// siblings needs, and puts them in the loader's cache, so that each
// sibling's own load finds its entity there. The resolvers of a list run
// at most MaxParallelism at a time, which alone would cut the list into
// small batches; and queueing the ids into the loader's batch window one
// by one would cut it too when that takes longer than the window. An id
// the batch did not find, or a batch that failed, is left to the
// sibling's own load, which reports it.
func prime[V any](ctx context.Context, l *loader[V], ids []string) {
	if l == nil {
		return
	}
	want := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	for start := 0; start < len(want); start += projections.MaxBatchIDs {
		found, err := l.fetch(ctx, want[start:min(start+projections.MaxBatchIDs, len(want))])
		if err != nil {
			return
		}
		for id, v := range found {
			l.Prime(ctx, id, v)
		}
	}
}

func (r *resolver) customerRecord(ctx context.Context, id string) (projections.Customer, error) {
	var l *loader[projections.Customer]
	if ls := r.loaders(ctx); ls != nil {
		l = ls.customers
	}
	return loadOne(ctx, l, r.db.CustomersByID, "customer", id)
}

// customerDetails reads a customer's tags and identities.
func (r *resolver) customerDetails(ctx context.Context, id string) (projections.Customer, error) {
	var l *loader[projections.Customer]
	if ls := r.loaders(ctx); ls != nil {
		l = ls.customerDetails
	}
	return loadOne(ctx, l, r.db.CustomerDetailsByID, "customer", id)
}

func (r *resolver) interactionRecord(ctx context.Context, id string) (projections.Interaction, error) {
	var l *loader[projections.Interaction]
	if ls := r.loaders(ctx); ls != nil {
		l = ls.interactions
	}
	return loadOne(ctx, l, r.db.InteractionsByID, "interaction", id)
}

func (r *resolver) agentRecord(ctx context.Context, id string) (projections.Agent, error) {
	var l *loader[projections.Agent]
	if ls := r.loaders(ctx); ls != nil {
		l = ls.agents
	}
	return loadOne(ctx, l, r.agentsByID, "agent", id)
}

// primeCustomers, primeInteractions and primeAgents start one batch for
// the entities a list's items will ask for.
func primeCustomers(ctx context.Context, ids []string) {
	if ls := loadersFrom(ctx); ls != nil {
		prime(ctx, ls.customers, ids)
	}
}

func primeInteractions(ctx context.Context, ids []string) {
	if ls := loadersFrom(ctx); ls != nil {
		prime(ctx, ls.interactions, ids)
	}
}

func primeAgents(ctx context.Context, ids []string) {
	if ls := loadersFrom(ctx); ls != nil {
		prime(ctx, ls.agents, ids)
	}
}

// agentsByID reads agents by id. There are a few hundred agents at most,
// so one read of all of them serves any batch.
func (r *resolver) agentsByID(ctx context.Context, ids []string) (map[string]projections.Agent, error) {
	all, err := r.db.Agents(ctx)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := make(map[string]projections.Agent, len(ids))
	for _, a := range all {
		if want[a.ID] {
			out[a.ID] = a
		}
	}
	return out, nil
}

// batchHint lets the items of one list start a batch for all of them the
// first time any of them resolves a related entity: only when that field
// is asked for, and then as one batch.
type batchHint struct {
	once sync.Once
	ids  []string
}

// newHint returns a hint for the related ids of a list's items.
func newHint(ids []string) *batchHint { return &batchHint{ids: ids} }

func (h *batchHint) prime(ctx context.Context, start func(context.Context, []string)) {
	if h != nil {
		h.once.Do(func() { start(ctx, h.ids) })
	}
}
