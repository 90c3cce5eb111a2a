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
	Template       *templateUseInput
	Files          *[]string
	IdempotencyKey *string
	Consistency    string
}) (*interactionPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnInteraction, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	files, err := r.attachments(ctx, args.Files, "interaction:"+string(args.InteractionID))
	if err != nil {
		return nil, err
	}
	if err := r.channelCarriesFiles(ctx, string(args.InteractionID), files); err != nil {
		return nil, err
	}
	// The message id is derived from the key, so a retry is recognised as
	// the same message even by a reader of the interaction's state.
	messageID := commands.NewID()
	if meta.IdempotencyKey != "" {
		messageID = commands.DeriveID("message", meta.IdempotencyKey)
	}
	id := string(args.InteractionID)
	cmd := domain.SendMessage{MessageID: messageID, AgentID: v.Subject, Text: args.Text, Attachments: files}
	if t := args.Template; t != nil {
		cmd.Template = &domain.TemplateUse{TemplateID: string(t.ID), Version: int(t.Version)}
		if cmd.TemplateCategory, err = r.cmds.TemplateCategory(ctx, *cmd.Template); err != nil {
			return nil, err
		}
	}
	res, err := r.cmds.Interaction(ctx, id, meta, cmd)
	if err != nil {
		return nil, err
	}
	return &interactionPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: id}, nil
}

// templateUseInput is a TemplateUseInput.
type templateUseInput struct {
	ID      gql.ID
	Version int32
}

// CloseInteraction closes an interaction.
func (r *resolver) CloseInteraction(ctx context.Context, args struct {
	InteractionID  gql.ID
	Disposition    string
	Summary        *string
	DraftSummary   *string
	IdempotencyKey *string
	Consistency    string
}) (*interactionPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnInteraction, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	id := string(args.InteractionID)
	cmd := domain.CloseInteraction{Disposition: domain.Disposition(args.Disposition), AgentID: v.Subject, Summary: deref(args.Summary), DraftSummary: deref(args.DraftSummary)}
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
