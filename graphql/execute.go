package graphql

import (
	"context"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/internal/document"
)

// request is one GraphQL request, as both transports carry it.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// prepared is a request that passed the checks graphql-go does not make,
// with the context its resolvers run in.
type prepared struct {
	ctx         context.Context
	kind        string // "query", "mutation" or "subscription"
	correlation string
	cost        int
}

// prepare checks a request's size and estimated cost and builds its
// context: the caller, a correlation id for what it writes, and, except
// for subscriptions (which live long and must not answer from a cache),
// fresh data loaders.
func (s *Server) prepare(ctx context.Context, v auth.Viewer, req request) (prepared, []*gqlerrors.QueryError) {
	if req.Query == "" {
		return prepared{}, apierror.RequestErrors(apierror.CodeBadUserInput, "the request has no query")
	}
	if len(req.Query) > s.limits.MaxQueryBytes {
		return prepared{}, apierror.RequestErrors(apierror.CodeBadUserInput, "the query is %d bytes; the limit is %d", len(req.Query), s.limits.MaxQueryBytes)
	}
	doc, err := document.Parse(req.Query)
	if err != nil {
		if errs := s.schema.ValidateWithVariables(req.Query, req.Variables); len(errs) > 0 {
			apierror.Present(ctx, s.log, errs)
			return prepared{}, errs
		}
		// graphql-go accepts what the outline parser does not: refuse,
		// since its cost cannot be estimated.
		return prepared{}, apierror.RequestErrors(apierror.CodeValidationFailed, "the query could not be analysed: %v", err)
	}
	op, err := doc.Operation(req.OperationName)
	if err != nil {
		return prepared{}, apierror.RequestErrors(apierror.CodeValidationFailed, "%v", err)
	}
	p := prepared{kind: op.Kind, correlation: commands.NewID(), cost: s.costs.cost(doc, op, req.Variables)}
	if p.cost > s.limits.MaxComplexity {
		return prepared{}, apierror.RequestErrors(apierror.CodeValidationFailed,
			"the query's estimated cost is %d, above the limit of %d: ask for smaller pages (first) or fewer nested lists", p.cost, s.limits.MaxComplexity)
	}
	ctx = withCorrelation(auth.WithViewer(ctx, v), p.correlation)
	if p.kind != "subscription" {
		ctx = withLoaders(ctx, newLoaders(s.root, s.metrics, s.limits.LoaderWait))
	}
	p.ctx = ctx
	return p, nil
}
