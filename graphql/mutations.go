package graphql

import (
	"context"
	"strings"
	"unicode/utf8"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// Consistency values of the schema's Consistency enum.
const (
	consistencyEventual     = "EVENTUAL"
	consistencyReadYourOwn  = "READ_YOUR_WRITES"
	maxIdempotencyKeyLength = 200
)

type correlationKey struct{}

// withCorrelation returns ctx carrying the correlation id of the outside
// request: every event one request writes shares it.
func withCorrelation(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// authorizeMutation refuses a caller whose role may not perform op, then
// returns the metadata the mutation's events carry.
func (r *resolver) authorizeMutation(ctx context.Context, op auth.Operation, key *string) (commands.Meta, auth.Viewer, error) {
	if _, err := auth.Authorize(ctx, op); err != nil {
		return commands.Meta{}, auth.Viewer{}, err
	}
	return r.mutationMeta(ctx, key)
}

// mutationMeta returns the command metadata for a mutation by the caller.
// The idempotency key is scoped to the caller, so two callers who happen
// to pick the same key never have one's request taken for a retry of the
// other's.
func (r *resolver) mutationMeta(ctx context.Context, key *string) (commands.Meta, auth.Viewer, error) {
	v, ok := auth.ViewerFrom(ctx)
	if !ok {
		return commands.Meta{}, v, apierror.Unauthenticated("no bearer token")
	}
	meta := commands.Meta{Actor: v.Actor()}
	meta.CorrelationID, _ = ctx.Value(correlationKey{}).(string)
	if key != nil {
		k := strings.TrimSpace(*key)
		if k == "" || len(k) > maxIdempotencyKeyLength || !utf8.ValidString(k) {
			return meta, v, apierror.BadInput("idempotencyKey must be 1 to %d bytes of text", maxIdempotencyKeyLength)
		}
		meta.IdempotencyKey = "graphql|" + v.Actor() + "|" + k
	}
	return meta, v, nil
}

// settled is the outcome of a mutation's wait for its own write.
type settled struct {
	position uint64
	eventual bool  // the caller did not ask to wait
	err      error // the wait ran out
}

// settle waits, when the caller asked for READ_YOUR_WRITES, until the read
// models applied position. The wait is bounded by the request and by
// Limits.ConsistencyWait; running out is not the mutation's failure (its
// events are recorded), so it is reported on the payload's entity, and the
// position is still returned.
func (r *resolver) settle(ctx context.Context, consistency string, position uint64) settled {
	s := settled{position: position, eventual: consistency != consistencyReadYourOwn}
	if s.eventual || position == 0 {
		return s
	}
	wctx, cancel := context.WithTimeout(ctx, r.limits.ConsistencyWait)
	defer cancel()
	if err := r.waiter.WaitFor(wctx, position); err != nil {
		if ctx.Err() != nil {
			s.err = ctx.Err()
		} else {
			s.err = apierror.New(apierror.CodeTimeout, "the change is recorded at position %d, but the read models did not reach it within %s; read it again later",
				position, r.limits.ConsistencyWait)
		}
	}
	return s
}

func (s settled) Position() Long { return Long(s.position) }

// entity resolves a payload's entity: the wait's error if it ran out, and
// null (not NOT_FOUND) for an entity the read models do not show yet when
// the caller chose not to wait.
func entity[T any](ctx context.Context, s settled, read func(context.Context) (*T, error)) (*T, error) {
	if s.err != nil {
		return nil, s.err
	}
	v, err := read(ctx)
	if s.eventual && domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// interactionPayload is an InteractionPayload.
type interactionPayload struct {
	settled
	r  *resolver
	id string
}

func (p *interactionPayload) Interaction(ctx context.Context) (*interactionResolver, error) {
	return entity(ctx, p.settled, func(ctx context.Context) (*interactionResolver, error) { return p.r.interactionByID(ctx, p.id) })
}

// ticketPayload is a TicketPayload.
type ticketPayload struct {
	settled
	r  *resolver
	id string
}

func (p *ticketPayload) Ticket(ctx context.Context) (*ticketResolver, error) {
	return entity(ctx, p.settled, func(ctx context.Context) (*ticketResolver, error) { return p.r.ticketByID(ctx, p.id) })
}

// customerPayload is a CustomerPayload.
type customerPayload struct {
	settled
	r  *resolver
	id string
}

func (p *customerPayload) Customer(ctx context.Context) (*customerResolver, error) {
	return entity(ctx, p.settled, func(ctx context.Context) (*customerResolver, error) { return p.r.customerByID(ctx, p.id) })
}

// agentPayload is an AgentPayload.
type agentPayload struct {
	settled
	r  *resolver
	id string
}

func (p *agentPayload) Agent(ctx context.Context) (*agentResolver, error) {
	return entity(ctx, p.settled, func(ctx context.Context) (*agentResolver, error) {
		return p.r.Agent(ctx, struct{ ID gql.ID }{gql.ID(p.id)})
	})
}
