package graphql

import (
	"context"
	"slices"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// businessFactInput is the BusinessFactInput input.
type businessFactInput struct {
	IdentityKind  string
	IdentityValue string
	Kind          string
	Source        string
	ExternalID    string
	Version       Long
	Tier          *string
	Attributes    *[]factAttributeInput
	EffectiveAt   *gql.Time
}

type factAttributeInput struct {
	Name  string
	Value string
}

// RecordBusinessFact records a fact from a CRM or order system
// (commands.RecordBusinessFact).
func (r *resolver) RecordBusinessFact(ctx context.Context, args struct{ Input businessFactInput }) (*businessFactPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpRecordFacts, nil)
	if err != nil {
		return nil, err
	}
	in := args.Input
	attrs, err := in.attributes()
	if err != nil {
		return nil, err
	}
	fact := domain.RecordBusinessFact{
		Kind: domain.FactKind(in.Kind), Source: in.Source, ExternalID: in.ExternalID, Version: int64(in.Version),
		Tier: domain.Tier(deref(in.Tier)), Attributes: attrs,
	}
	if in.EffectiveAt != nil {
		fact.EffectiveAt = in.EffectiveAt.Time
	}
	res, err := r.cmds.RecordBusinessFact(ctx, domain.Identity{Kind: domain.IdentityKind(in.IdentityKind), Value: in.IdentityValue}, fact, meta)
	if err != nil {
		return nil, err
	}
	return &businessFactPayload{res: res}, nil
}

// attributes returns the input's attributes by name, refusing a name
// given twice (a map would silently keep one of them).
func (in businessFactInput) attributes() (map[string]string, error) {
	if in.Attributes == nil {
		return nil, nil
	}
	out := make(map[string]string, len(*in.Attributes))
	for _, a := range *in.Attributes {
		if _, dup := out[a.Name]; dup {
			return nil, apierror.BadInput("attribute %q is given twice", a.Name)
		}
		out[a.Name] = a.Value
	}
	return out, nil
}

// businessFactPayload is a BusinessFactPayload.
type businessFactPayload struct{ res commands.FactResult }

func (p *businessFactPayload) CustomerID() gql.ID    { return gql.ID(p.res.CustomerID) }
func (p *businessFactPayload) CustomerCreated() bool { return p.res.CustomerCreated }
func (p *businessFactPayload) Version() Long         { return Long(p.res.Version) }
func (p *businessFactPayload) Position() Long        { return Long(p.res.Position) }
func (p *businessFactPayload) Outcome() string       { return p.res.Outcome.String() }

// BusinessContext is the customer's business context.
func (c *customerResolver) BusinessContext(ctx context.Context) (*businessContextResolver, error) {
	bc, err := c.r.db.CustomerContext(ctx, c.c.ID)
	if err != nil {
		return nil, err
	}
	noteAccess(ctx, c.c.ID, "businessContext", c.masked)
	return &businessContextResolver{bc: bc, masked: c.masked}, nil
}

type businessContextResolver struct {
	bc     projections.BusinessContext
	masked bool
}

func (b *businessContextResolver) facts(fs []projections.BusinessFact) []*businessFactResolver {
	out := make([]*businessFactResolver, len(fs))
	for i, f := range fs {
		out[i] = &businessFactResolver{f: f, masked: b.masked}
	}
	return out
}

func (b *businessContextResolver) Plans() []*businessFactResolver        { return b.facts(b.bc.Plans) }
func (b *businessContextResolver) RecentOrders() []*businessFactResolver { return b.facts(b.bc.Orders) }
func (b *businessContextResolver) Devices() []*businessFactResolver      { return b.facts(b.bc.Devices) }
func (b *businessContextResolver) Contracts() []*businessFactResolver    { return b.facts(b.bc.Contracts) }

type businessFactResolver struct {
	f      projections.BusinessFact
	masked bool
}

func (f *businessFactResolver) Kind() string       { return string(f.f.Kind) }
func (f *businessFactResolver) Source() string     { return f.f.Source }
func (f *businessFactResolver) ExternalID() string { return f.f.ExternalID }
func (f *businessFactResolver) Version() Long      { return Long(f.f.Version) }
func (f *businessFactResolver) CustomerID() gql.ID { return gql.ID(f.f.CustomerID) }
func (f *businessFactResolver) RecordedAt() gql.Time {
	return gql.Time{Time: f.f.RecordedAt}
}

func (f *businessFactResolver) Tier() *string {
	if f.f.Tier == "" {
		return nil
	}
	t := string(f.f.Tier)
	return &t
}

func (f *businessFactResolver) EffectiveAt() *gql.Time {
	if f.f.EffectiveAt.IsZero() {
		return nil
	}
	return &gql.Time{Time: f.f.EffectiveAt}
}

// Attributes are sorted by name, their values masked for callers who see
// personal data masked.
func (f *businessFactResolver) Attributes() []*factAttribute {
	names := make([]string, 0, len(f.f.Attributes))
	for name := range f.f.Attributes {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]*factAttribute, len(names))
	for i, name := range names {
		out[i] = &factAttribute{name: name, value: auth.MaskText(f.f.Attributes[name], f.masked)}
	}
	return out
}

type factAttribute struct{ name, value string }

func (a *factAttribute) Name() string  { return a.name }
func (a *factAttribute) Value() string { return a.value }
