package graphql

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// resolver is the root resolver: graphql-go finds the Query, Mutation and
// Subscription fields as its methods (matching names case-insensitively,
// so Go names like InteractionID serve interactionId), spread over the
// *_resolvers.go, mutations*.go and subscriptions.go files.
type resolver struct {
	db       *projections.ReadDB
	store    eventstore.Store
	waiter   Waiter
	cmds     *commands.Handler
	reporter analytics.Reporter
	hub      *hub
	verifier *verifier
	limits   Limits
	now      func() time.Time
	log      *slog.Logger
	// selfService limits the unauthenticated ticketStatus per client;
	// contacts (optional) finds where confirmPromise writes to.
	selfService *clientLimiter
	contacts    commands.ContactFinder
	// asOfViews are the read models rebuilt for customerAsOf and
	// ticketAsOf; historical marks a resolver over one of them, whose
	// reads skip the request's loaders (those read the live models).
	asOfViews  *asOfViews
	historical bool
	// files keeps and opens attachments; nil when the server keeps none.
	// uploads signs the tokens of files agents upload to attach.
	files   Files
	uploads *uploads
}

// pageArgs are the arguments of every paginated field.
type pageArgs struct {
	First *int32
	After *string
}

// page validates pagination arguments: first is 1 to MaxFirst (default
// projections.DefaultPageSize).
func (r *resolver) page(a pageArgs) (first int, after string, err error) {
	first = projections.DefaultPageSize
	if a.First != nil {
		first = int(*a.First)
		if first < 1 || first > r.limits.MaxFirst {
			return 0, "", apierror.BadInput("first must be 1 to %d, got %d", r.limits.MaxFirst, first)
		}
	}
	if a.After != nil {
		after = *a.After
	}
	return first, after, nil
}

// listArgs are the arguments of a bounded list: at most First items, those
// after the position After.
type listArgs struct {
	First *int32
	After *Long
}

// listFirst is how many items a bounded list returns: first, 1 to
// MaxFirst, or MaxFirst when not given. The cost model assumes the same.
func (r *resolver) listFirst(first *int32) (int, error) {
	if first == nil {
		return r.limits.MaxFirst, nil
	}
	if n := int(*first); n >= 1 && n <= r.limits.MaxFirst {
		return n, nil
	}
	return 0, apierror.BadInput("first must be 1 to %d, got %d", r.limits.MaxFirst, *first)
}

// pageAfter returns at most first items of list, which is in ascending
// position order, from the first one past after (all when after is nil).
func pageAfter[T any](list []T, after *Long, position func(T) uint64, first int) []T {
	if after != nil {
		start := len(list)
		for i, item := range list {
			if *after < 0 || position(item) > uint64(*after) {
				start = i
				break
			}
		}
		list = list[start:]
	}
	return list[:min(first, len(list))]
}

// pageInfo is the PageInfo of every connection.
type pageInfo struct {
	endCursor   string
	hasNextPage bool
}

func (p pageInfo) EndCursor() *string { return strOf(p.endCursor) }
func (p pageInfo) HasNextPage() bool  { return p.hasNextPage }

// lazy computes a value once, on first use, for the field resolvers of one
// object, which graphql-go runs concurrently.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get(f func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = f() })
	return l.v, l.err
}

// viewerResolver answers Query.me.
type viewerResolver struct{ v auth.Viewer }

// Me returns the caller.
func (r *resolver) Me(ctx context.Context) (*viewerResolver, error) {
	v, ok := auth.ViewerFrom(ctx)
	if !ok {
		return nil, apierror.Unauthenticated("no bearer token")
	}
	return &viewerResolver{v: v}, nil
}

func (v *viewerResolver) Subject() string      { return v.v.Subject }
func (v *viewerResolver) Role() string         { return strings.ToUpper(string(v.v.Role)) }
func (v *viewerResolver) Operations() []string { return auth.OperationsOf(v.v.Role) }
