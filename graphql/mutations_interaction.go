package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// ReplyToInteraction sends the caller's reply on an interaction.
func (r *resolver) ReplyToInteraction(ctx context.Context, args struct {
	InteractionID  gql.ID
	Text           string
	IdempotencyKey *string
	Consistency    string
}) (*interactionPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnInteraction, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	// The message id is derived from the key, so a retry is recognised as
	// the same message even by a reader of the interaction's state.
	messageID := commands.NewID()
	if meta.IdempotencyKey != "" {
		messageID = commands.DeriveID("message", meta.IdempotencyKey)
	}
	id := string(args.InteractionID)
	res, err := r.cmds.Interaction(ctx, id, meta, domain.SendMessage{MessageID: messageID, AgentID: v.Subject, Text: args.Text})
	if err != nil {
		return nil, err
	}
	return &interactionPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: id}, nil
}

// CloseInteraction closes an interaction.
func (r *resolver) CloseInteraction(ctx context.Context, args struct {
	InteractionID  gql.ID
	Disposition    string
	Summary        *string
	IdempotencyKey *string
	Consistency    string
}) (*interactionPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnInteraction, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	id := string(args.InteractionID)
	cmd := domain.CloseInteraction{Disposition: domain.Disposition(args.Disposition), AgentID: v.Subject, Summary: deref(args.Summary)}
	res, err := r.cmds.Interaction(ctx, id, meta, cmd)
	if err != nil {
		return nil, err
	}
	return &interactionPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: id}, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
