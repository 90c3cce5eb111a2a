package outbound

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// recipient is where an interaction's replies go: its channel and the
// identity the customer opened it with.
type recipient struct {
	channel    domain.Channel
	identity   domain.Identity
	customerID string
}

// recipients looks recipients up from each interaction's first event
// (InteractionStarted), caching the most recent ones: replies cluster on
// live conversations.
type recipients struct {
	store eventstore.Store
	mu    sync.Mutex
	max   int
	order *list.List // of string ids, most recent first
	items map[string]*list.Element
	vals  map[string]recipient
}

func newRecipients(store eventstore.Store, max int) *recipients {
	return &recipients{store: store, max: max, order: list.New(), items: map[string]*list.Element{}, vals: map[string]recipient{}}
}

func (r *recipients) lookup(ctx context.Context, interactionID string) (recipient, error) {
	if v, ok := r.cached(interactionID); ok {
		return v, nil
	}
	stream := domain.InteractionStream(interactionID)
	page, err := r.store.ReadStream(ctx, stream, 0, 1)
	if err != nil {
		return recipient{}, fmt.Errorf("read %s: %w", stream, err)
	}
	if len(page) == 0 {
		return recipient{}, fmt.Errorf("%s has no events", stream)
	}
	e, err := domain.DecodeEvent(page[0].Type, page[0].Schema, page[0].Data)
	if err != nil {
		return recipient{}, fmt.Errorf("read %s: %w", stream, err)
	}
	started, ok := e.(domain.InteractionStarted)
	if !ok {
		return recipient{}, fmt.Errorf("%s starts with %s, not InteractionStarted", stream, page[0].Type)
	}
	v := recipient{channel: started.Channel, identity: started.Identity, customerID: started.CustomerID}
	r.put(interactionID, v)
	return v, nil
}

func (r *recipients) cached(id string) (recipient, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	el, ok := r.items[id]
	if !ok {
		return recipient{}, false
	}
	r.order.MoveToFront(el)
	return r.vals[id], true
}

func (r *recipients) put(id string, v recipient) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.items[id]; ok {
		return
	}
	r.items[id] = r.order.PushFront(id)
	r.vals[id] = v
	for r.order.Len() > r.max {
		oldest := r.order.Back()
		r.order.Remove(oldest)
		delete(r.items, oldest.Value.(string))
		delete(r.vals, oldest.Value.(string))
	}
}
