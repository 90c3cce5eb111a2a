package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/internal/document"
	"github.com/interactionledger/ledger/graphql/transport"
)

// executor is the Server as the transports see it (transport.Executor).
type executor struct{ s *Server }

// Prepare checks a request's size and estimated cost and builds its
// context: the caller, a correlation id for what it writes, and, except
// for subscriptions (which live long and must not answer from a cache),
// fresh data loaders.
func (e executor) Prepare(ctx context.Context, v auth.Viewer, req transport.Request) (transport.Prepared, []*gqlerrors.QueryError) {
	s := e.s
	op, cost, errs := s.admit(req)
	if errs != nil {
		apierror.Present(ctx, s.log, errs)
		return transport.Prepared{}, errs
	}
	p := transport.Prepared{Kind: op.Kind, Correlation: commands.NewID(), Cost: cost}
	ctx = withCorrelation(auth.WithViewer(ctx, v), p.Correlation)
	if p.Kind != "subscription" {
		ctx = withLoaders(ctx, newLoaders(s.root, s.metrics, s.limits.LoaderWait))
	}
	name := op.Name
	if name == "" {
		name = "(unnamed " + op.Kind + ")"
	}
	ctx = withAccessNotes(ctx, name)
	p.Context = ctx
	return p, nil
}

// Exec runs a prepared query or mutation. A query's reads share one read
// transaction (projections.ReadDB.WithSnapshot); a mutation's do not, as
// they must see the writes it waits for.
func (e executor) Exec(p transport.Prepared, req transport.Request) *gql.Response {
	ctx := p.Context
	if p.Kind == "query" {
		var end func()
		ctx, end = e.s.root.db.WithSnapshot(ctx)
		defer end()
	}
	resp := e.s.schema.Exec(ctx, req.Query, req.OperationName, req.Variables)
	e.s.access.record(accesses(ctx, e.s.root.now().UTC()))
	return resp
}

// Subscribe runs a prepared operation as a stream of responses. Each
// response's reads of personal data are recorded before it is passed on,
// as a query's are (a subscription's updates are reads like any other).
func (e executor) Subscribe(p transport.Prepared, req transport.Request) (<-chan any, error) {
	responses, err := e.s.schema.Subscribe(p.Context, req.Query, req.OperationName, req.Variables)
	if err != nil {
		return nil, err
	}
	out := make(chan any)
	go func() {
		defer close(out)
		for r := range responses {
			e.s.access.record(accesses(p.Context, e.s.root.now().UTC()))
			select {
			case out <- r:
			case <-p.Context.Done():
				for range responses { // let the schema's goroutine end
				}
				return
			}
		}
	}()
	return out, nil
}

// AllowsAnonymous reports whether req asks only for self-service fields.
func (e executor) AllowsAnonymous(req transport.Request) bool { return selfServiceOnly(req) }

// admit is the check every request passes before it runs: its size, its
// outline (one operation the cost model can read) and its estimated cost
// against the server's limits. It returns the operation and its cost, or
// the errors to answer with. Prepare calls it for each request; the test
// of the desktop's own queries (TestUIOperationsWithinLimits) calls it on
// every operation of ui/app, so both use one calculation.
func (s *Server) admit(req transport.Request) (*document.Operation, int, []*gqlerrors.QueryError) {
	if req.Query == "" {
		return nil, 0, apierror.RequestErrors(apierror.CodeBadUserInput, "the request has no query")
	}
	if len(req.Query) > s.limits.MaxQueryBytes {
		return nil, 0, apierror.RequestErrors(apierror.CodeBadUserInput, "the query is %d bytes; the limit is %d", len(req.Query), s.limits.MaxQueryBytes)
	}
	doc, err := document.Parse(req.Query)
	if err != nil {
		if errs := s.schema.ValidateWithVariables(req.Query, req.Variables); len(errs) > 0 {
			return nil, 0, errs
		}
		// graphql-go accepts what the outline parser does not: refuse,
		// since its cost cannot be estimated.
		return nil, 0, apierror.RequestErrors(apierror.CodeValidationFailed, "the query could not be analysed: %v", err)
	}
	op, err := doc.Operation(req.OperationName)
	if err != nil {
		return nil, 0, apierror.RequestErrors(apierror.CodeValidationFailed, "%v", err)
	}
	cost := s.costs.cost(doc, op, req.Variables)
	if cost > s.limits.MaxComplexity {
		return nil, cost, apierror.RequestErrors(apierror.CodeValidationFailed,
			"the query's estimated cost is %d, above the limit of %d: ask for smaller pages (first) or fewer nested lists", cost, s.limits.MaxComplexity)
	}
	return op, cost, nil
}
