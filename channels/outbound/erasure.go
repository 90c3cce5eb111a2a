package outbound

import (
	"errors"
	"sync"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// errErased is why a reply to an erased customer is never sent: their
// address is gone, and nothing may be sent on their behalf any more.
var errErased = Permanent(errors.New("the customer's personal data was erased: the reply is not sent"))

// erasures remembers the customers erased while the dispatcher runs, so
// that replies already queued for them (retrying with backoff) are given
// up instead of sent, and forgets their addresses.
type erasures struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (e *erasures) add(ids ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ids == nil {
		e.ids = map[string]bool{}
	}
	for _, id := range ids {
		e.ids[id] = true
	}
}

func (e *erasures) has(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ids[id]
}

// noteErasure handles a CustomerErased event: the customers it names are
// erased from now on, and their cached addresses dropped.
func (d *Dispatcher) noteErasure(e eventstore.RecordedEvent) error {
	decoded, err := domain.DecodeEvent(e.Type, e.Schema, e.Data)
	if err != nil {
		return err
	}
	erased := decoded.(domain.CustomerErased)
	ids := append([]string{erased.CustomerID}, erased.Sources...)
	d.erased.add(ids...)
	d.recips.forgetCustomers(ids)
	return nil
}

// toErased reports whether job is for an erased customer: one erased
// while the dispatcher runs, or one whose address or text already read
// as erased when the reply was read.
func (d *Dispatcher) toErased(job Delivery) bool {
	return d.erased.has(job.CustomerID) || job.To.Value == domain.ErasedText || job.Text == domain.ErasedText
}

// forgetCustomers drops the cached recipients of the customers' interactions.
func (r *recipients) forgetCustomers(ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	gone := map[string]bool{}
	for _, id := range ids {
		gone[id] = true
	}
	for id, v := range r.vals {
		if gone[v.customerID] {
			r.order.Remove(r.items[id])
			delete(r.items, id)
			delete(r.vals, id)
		}
	}
}
