package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// Queues returns every queue with what waits in it.
func (r *resolver) Queues(ctx context.Context) ([]*queueResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadQueues); err != nil {
		return nil, err
	}
	list, err := r.db.Queues(ctx, r.now())
	if err != nil {
		return nil, err
	}
	out := make([]*queueResolver, len(list))
	for i, q := range list {
		out[i] = r.newQueue(q)
	}
	return out, nil
}

// Queue returns one queue.
func (r *resolver) Queue(ctx context.Context, args struct{ Name string }) (*queueResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadQueues); err != nil {
		return nil, err
	}
	q, err := r.queueNamed(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	return r.newQueue(q), nil
}

func (r *resolver) queueNamed(ctx context.Context, name string) (projections.Queue, error) {
	list, err := r.db.Queues(ctx, r.now())
	if err != nil {
		return projections.Queue{}, err
	}
	for _, q := range list {
		if q.Name == name {
			return q, nil
		}
	}
	return projections.Queue{}, apierror.NotFound("queue %q not found", name)
}

func (r *resolver) newQueue(q projections.Queue) *queueResolver {
	interactions, customers := make([]string, len(q.Waiting)), make([]string, len(q.Waiting))
	for i, e := range q.Waiting {
		interactions[i], customers[i] = e.InteractionID, e.CustomerID
	}
	return &queueResolver{r: r, q: q, hints: &relatedHints{interactions: newHint(interactions), customers: newHint(customers)}}
}

// queueResolver is a Queue.
type queueResolver struct {
	r     *resolver
	q     projections.Queue
	hints *relatedHints
}

func (q *queueResolver) Name() string                { return q.q.Name }
func (q *queueResolver) WaitingCount() int32         { return int32(len(q.q.Waiting)) }
func (q *queueResolver) LongestWaitSeconds() float64 { return q.q.LongestWaitSeconds }

func (q *queueResolver) Waiting(args struct{ First *int32 }) ([]*queueEntry, error) {
	first, err := q.r.listFirst(args.First)
	if err != nil {
		return nil, err
	}
	waiting := q.q.Waiting[:min(first, len(q.q.Waiting))]
	out := make([]*queueEntry, len(waiting))
	for i, e := range waiting {
		out[i] = &queueEntry{r: q.r, e: e, hints: q.hints}
	}
	return out, nil
}

// queueEntry is a QueueEntry.
type queueEntry struct {
	r     *resolver
	e     projections.QueueEntry
	hints *relatedHints
}

func (e *queueEntry) Interaction(ctx context.Context) (*interactionResolver, error) {
	e.hints.interactions.prime(ctx, primeInteractions)
	return e.r.interactionByID(ctx, e.e.InteractionID)
}

func (e *queueEntry) Customer(ctx context.Context) (*customerResolver, error) {
	if e.e.CustomerID == "" {
		return nil, nil
	}
	e.hints.customers.prime(ctx, primeCustomers)
	return e.r.customerByID(ctx, e.e.CustomerID)
}

func (e *queueEntry) Channel() *string     { return strOf(string(e.e.Channel)) }
func (e *queueEntry) Priority() string     { return string(e.e.Priority) }
func (e *queueEntry) QueuedAt() gql.Time   { return gql.Time{Time: e.e.QueuedAt} }
func (e *queueEntry) WaitSeconds() float64 { return e.e.WaitSeconds }
