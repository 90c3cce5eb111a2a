package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// LinkIdentity attaches an identity to a customer.
func (r *resolver) LinkIdentity(ctx context.Context, args struct {
	CustomerID     gql.ID
	Kind           string
	Value          string
	IdempotencyKey *string
	Consistency    string
}) (*customerPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpEditIdentities, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	id := string(args.CustomerID)
	res, err := r.cmds.LinkIdentity(ctx, id, domain.Identity{Kind: domain.IdentityKind(args.Kind), Value: args.Value}, meta)
	if err != nil {
		return nil, err
	}
	return &customerPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: id}, nil
}

// UnlinkIdentity detaches an identity from a customer.
func (r *resolver) UnlinkIdentity(ctx context.Context, args struct {
	CustomerID     gql.ID
	Kind           string
	Value          string
	Reason         *string
	IdempotencyKey *string
	Consistency    string
}) (*customerPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpEditIdentities, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	id := string(args.CustomerID)
	ident := domain.Identity{Kind: domain.IdentityKind(args.Kind), Value: args.Value}
	res, err := r.cmds.UnlinkIdentity(ctx, id, ident, deref(args.Reason), meta)
	if err != nil {
		return nil, err
	}
	return &customerPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: id}, nil
}

// MergeCustomers merges the source customer into the target.
func (r *resolver) MergeCustomers(ctx context.Context, args struct {
	SourceID       gql.ID
	TargetID       gql.ID
	Reason         *string
	IdempotencyKey *string
	Consistency    string
}) (*customerPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpEditIdentities, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	res, err := r.cmds.MergeCustomers(ctx, string(args.SourceID), string(args.TargetID), deref(args.Reason), meta)
	if err != nil {
		return nil, err
	}
	return &customerPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: string(args.TargetID)}, nil
}

// EraseCustomer erases a customer's personal data (commands.EraseCustomer).
func (r *resolver) EraseCustomer(ctx context.Context, args struct {
	CustomerID     gql.ID
	Reason         string
	IdempotencyKey *string
	Consistency    string
}) (*customerPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpEraseCustomer, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	res, err := r.cmds.EraseCustomer(ctx, string(args.CustomerID), args.Reason, meta)
	if err != nil {
		return nil, err
	}
	return &customerPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: string(args.CustomerID)}, nil
}

// UndoMerge reverts the merge of a customer.
func (r *resolver) UndoMerge(ctx context.Context, args struct {
	SourceID       gql.ID
	Reason         *string
	IdempotencyKey *string
	Consistency    string
}) (*customerPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpUndoMerge, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	res, err := r.cmds.UndoMerge(ctx, string(args.SourceID), deref(args.Reason), meta)
	if err != nil {
		return nil, err
	}
	return &customerPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: string(args.SourceID)}, nil
}
