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

// KnowledgeItems answers Query.knowledgeItems.
func (r *resolver) KnowledgeItems(ctx context.Context, args struct {
	Kind   *string
	Status *string
	Text   *string
	pageArgs
}) (*knowledgeConnection, error) {
	if _, err := auth.Authorize(ctx, auth.OpAuthorKnowledge); err != nil {
		return nil, err
	}
	first, after, err := r.page(args.pageArgs)
	if err != nil {
		return nil, err
	}
	p, err := r.db.KnowledgeItems(ctx, projections.KnowledgeListFilter{
		Kind: domain.KnowledgeKind(deref(args.Kind)), Status: domain.KnowledgeStatus(deref(args.Status)), Text: deref(args.Text),
	}, first, after)
	if err != nil {
		return nil, err
	}
	out := make([]*knowledgeListItemResolver, len(p.Items))
	for i, it := range p.Items {
		out[i] = &knowledgeListItemResolver{it}
	}
	return &knowledgeConnection{nodes: out, info: pageInfo{p.EndCursor, p.HasNextPage}}, nil
}

// knowledgeConnection is a KnowledgeItemConnection.
type knowledgeConnection struct {
	nodes []*knowledgeListItemResolver
	info  pageInfo
}

func (c *knowledgeConnection) Nodes() []*knowledgeListItemResolver { return c.nodes }
func (c *knowledgeConnection) PageInfo() pageInfo                  { return c.info }

// knowledgeListItemResolver is a KnowledgeListItem.
type knowledgeListItemResolver struct{ it projections.KnowledgeListItem }

func (k *knowledgeListItemResolver) ID() gql.ID           { return gql.ID(k.it.ID) }
func (k *knowledgeListItemResolver) Kind() string         { return string(k.it.Kind) }
func (k *knowledgeListItemResolver) Status() string       { return string(k.it.Status) }
func (k *knowledgeListItemResolver) LiveVersion() *int32  { return versionOf(k.it.LiveVersion) }
func (k *knowledgeListItemResolver) LatestVersion() int32 { return int32(k.it.LatestVersion) }
func (k *knowledgeListItemResolver) Title() string        { return k.it.Title }
func (k *knowledgeListItemResolver) Language() string     { return k.it.Language }
func (k *knowledgeListItemResolver) Category() string     { return k.it.Category }
func (k *knowledgeListItemResolver) UpdatedAt() gql.Time  { return gql.Time{Time: k.it.UpdatedAt} }

// versionOf is a version number, nil for 0 (none).
func versionOf(n int) *int32 {
	if n == 0 {
		return nil
	}
	v := int32(n)
	return &v
}

// KnowledgeItem answers Query.knowledgeItem: the item folded from its
// stream, every version.
func (r *resolver) KnowledgeItem(ctx context.Context, args struct{ ID gql.ID }) (*knowledgeItemResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpAuthorKnowledge); err != nil {
		return nil, err
	}
	item, err := r.cmds.LoadKnowledge(ctx, string(args.ID))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &knowledgeItemResolver{item}, nil
}

// knowledgeItemResolver is a KnowledgeItem.
type knowledgeItemResolver struct{ k domain.KnowledgeItem }

func (k *knowledgeItemResolver) ID() gql.ID              { return gql.ID(k.k.ID) }
func (k *knowledgeItemResolver) Kind() string            { return string(k.k.Kind) }
func (k *knowledgeItemResolver) Status() string          { return string(k.k.Status()) }
func (k *knowledgeItemResolver) LiveVersion() *int32     { return versionOf(k.k.Live) }
func (k *knowledgeItemResolver) LatestVersion() int32    { return int32(len(k.k.Versions)) }
func (k *knowledgeItemResolver) PendingRevision() *int32 { return versionOf(k.k.PendingRevision()) }
func (k *knowledgeItemResolver) RetiredAt() *gql.Time    { return timeOf(k.k.RetiredAt) }
func (k *knowledgeItemResolver) RetireReason() *string {
	if !k.k.Retired {
		return nil
	}
	return &k.k.RetireReason
}
func (k *knowledgeItemResolver) Versions() []*knowledgeVersionResolver {
	out := make([]*knowledgeVersionResolver, 0, len(k.k.Versions))
	for i := len(k.k.Versions) - 1; i >= 0; i-- {
		out = append(out, &knowledgeVersionResolver{k.k.Versions[i]})
	}
	return out
}

// knowledgeVersionResolver is a KnowledgeItemVersion.
type knowledgeVersionResolver struct{ v domain.KnowledgeVersion }

func (v *knowledgeVersionResolver) Version() int32         { return int32(v.v.Number) }
func (v *knowledgeVersionResolver) Title() string          { return v.v.Content.Title }
func (v *knowledgeVersionResolver) Body() string           { return v.v.Content.Body }
func (v *knowledgeVersionResolver) Language() string       { return v.v.Content.Language }
func (v *knowledgeVersionResolver) Category() string       { return v.v.Content.Category }
func (v *knowledgeVersionResolver) BusinessDomain() string { return v.v.Content.BusinessDomain }
func (v *knowledgeVersionResolver) DraftedBy() string      { return v.v.DraftedBy }
func (v *knowledgeVersionResolver) DraftedAt() gql.Time    { return gql.Time{Time: v.v.DraftedAt} }
func (v *knowledgeVersionResolver) PublishedAt() *gql.Time { return timeOf(v.v.PublishedAt) }
func (v *knowledgeVersionResolver) Tags() []string {
	if v.v.Content.Tags == nil {
		return []string{}
	}
	return v.v.Content.Tags
}
func (v *knowledgeVersionResolver) Channels() []string {
	out := make([]string, len(v.v.Content.Channels))
	for i, ch := range v.v.Content.Channels {
		out[i] = string(ch)
	}
	return out
}
