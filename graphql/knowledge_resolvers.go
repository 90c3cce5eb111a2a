package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// knowledgeSearchFirst is searchKnowledge's default page: an agent looks
// at the first few answers, not a hundred.
const knowledgeSearchFirst = 20

// SearchKnowledge answers Query.searchKnowledge.
func (r *resolver) SearchKnowledge(ctx context.Context, args struct {
	Text     string
	Kind     *string
	Language *string
	Category *string
	Channel  *string
	First    *int32
}) ([]*knowledgeHitResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadKnowledge); err != nil {
		return nil, err
	}
	first := knowledgeSearchFirst
	if args.First != nil {
		n, err := r.listFirst(args.First)
		if err != nil {
			return nil, err
		}
		first = n
	}
	hits, err := r.db.SearchKnowledge(ctx, projections.KnowledgeQuery{
		Text: args.Text, Kind: domain.KnowledgeKind(deref(args.Kind)), Language: deref(args.Language),
		Category: deref(args.Category), Channel: domain.Channel(deref(args.Channel)), Limit: first,
	})
	if err != nil {
		return nil, err
	}
	out := make([]*knowledgeHitResolver, len(hits))
	for i, h := range hits {
		out[i] = &knowledgeHitResolver{h: h}
	}
	return out, nil
}

// knowledgeHitResolver is a KnowledgeHit.
type knowledgeHitResolver struct{ h projections.KnowledgeHit }

func (k *knowledgeHitResolver) ID() gql.ID             { return gql.ID(k.h.ID) }
func (k *knowledgeHitResolver) Kind() string           { return string(k.h.Kind) }
func (k *knowledgeHitResolver) Version() int32         { return int32(k.h.Version) }
func (k *knowledgeHitResolver) Title() string          { return k.h.Title }
func (k *knowledgeHitResolver) Body() string           { return k.h.Body }
func (k *knowledgeHitResolver) Language() string       { return k.h.Language }
func (k *knowledgeHitResolver) Category() string       { return k.h.Category }
func (k *knowledgeHitResolver) BusinessDomain() string { return k.h.BusinessDomain }
func (k *knowledgeHitResolver) Snippet() string        { return projections.SnippetString(k.h.Snippet) }
func (k *knowledgeHitResolver) SnippetParts() []*snippetPartResolver {
	out := make([]*snippetPartResolver, len(k.h.Snippet))
	for i, p := range k.h.Snippet {
		out[i] = &snippetPartResolver{p}
	}
	return out
}
func (k *knowledgeHitResolver) Tags() []string {
	if k.h.Tags == nil {
		return []string{}
	}
	return k.h.Tags
}
func (k *knowledgeHitResolver) Channels() []string {
	out := make([]string, len(k.h.Channels))
	for i, ch := range k.h.Channels {
		out[i] = string(ch)
	}
	return out
}

// snippetPartResolver is a SnippetPart.
type snippetPartResolver struct{ p projections.SnippetPart }

func (s *snippetPartResolver) Text() string { return s.p.Text }
func (s *snippetPartResolver) Match() bool  { return s.p.Match }

// DraftKnowledge answers Mutation.draftKnowledge.
func (r *resolver) DraftKnowledge(ctx context.Context, args struct {
	ID             *gql.ID
	Kind           *string
	Title          string
	Body           string
	Language       string
	Category       *string
	BusinessDomain *string
	Tags           *[]string
	Channels       *[]string
	IdempotencyKey *string
}) (*knowledgePayload, error) {
	var channels []domain.Channel
	for _, ch := range derefList(args.Channels) {
		channels = append(channels, domain.Channel(ch))
	}
	return r.knowledge(ctx, string(deref(args.ID)), args.IdempotencyKey, domain.DraftKnowledge{
		Kind: domain.KnowledgeKind(deref(args.Kind)),
		Content: domain.KnowledgeContent{Title: args.Title, Body: args.Body, Language: args.Language, Category: deref(args.Category),
			BusinessDomain: deref(args.BusinessDomain), Tags: derefList(args.Tags), Channels: channels},
	})
}

// PublishKnowledge answers Mutation.publishKnowledge.
func (r *resolver) PublishKnowledge(ctx context.Context, args struct {
	ID             gql.ID
	Version        *int32
	IdempotencyKey *string
}) (*knowledgePayload, error) {
	return r.knowledge(ctx, string(args.ID), args.IdempotencyKey, domain.PublishKnowledge{Version: int(deref(args.Version))})
}

// RetireKnowledge answers Mutation.retireKnowledge.
func (r *resolver) RetireKnowledge(ctx context.Context, args struct {
	ID             gql.ID
	Reason         string
	IdempotencyKey *string
}) (*knowledgePayload, error) {
	return r.knowledge(ctx, string(args.ID), args.IdempotencyKey, domain.RetireKnowledge{Reason: args.Reason})
}

// knowledge runs an author's command on a knowledge item.
func (r *resolver) knowledge(ctx context.Context, id string, key *string, cmd domain.KnowledgeCommand) (*knowledgePayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpAuthorKnowledge, key)
	if err != nil {
		return nil, err
	}
	res, item, err := r.cmds.Knowledge(ctx, id, cmd, meta)
	if err != nil {
		return nil, err
	}
	return &knowledgePayload{item: item, position: res.Position}, nil
}

// knowledgePayload is a KnowledgeItemPayload.
type knowledgePayload struct {
	item     domain.KnowledgeItem
	position uint64
}

func (p *knowledgePayload) ID() gql.ID           { return gql.ID(p.item.ID) }
func (p *knowledgePayload) Status() string       { return string(p.item.Status()) }
func (p *knowledgePayload) LatestVersion() int32 { return int32(len(p.item.Versions)) }
func (p *knowledgePayload) Position() Long       { return Long(p.position) }
func (p *knowledgePayload) LiveVersion() *int32 {
	if p.item.Live == 0 {
		return nil
	}
	v := int32(p.item.Live)
	return &v
}
