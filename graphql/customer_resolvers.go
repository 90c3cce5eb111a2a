package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// Customer returns one customer's profile.
func (r *resolver) Customer(ctx context.Context, args struct{ ID gql.ID }) (*customerResolver, error) {
	return r.customerAtRoot(ctx, string(args.ID))
}

// CustomerByIdentity returns the customer holding an identity, nil when
// nobody does. Callers who see customers masked may not ask: the answer
// tells whether a phone number or an address belongs to a customer.
func (r *resolver) CustomerByIdentity(ctx context.Context, args struct {
	Kind  string
	Value string
}) (*customerResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadCustomers)
	if err != nil {
		return nil, err
	}
	if access == auth.Masked {
		return nil, apierror.Forbidden("a role that sees personal data masked may not look customers up by identity")
	}
	id, found, err := r.db.CustomerByIdentity(ctx, domain.Identity{Kind: domain.IdentityKind(args.Kind), Value: args.Value})
	if err != nil || !found {
		return nil, err
	}
	return r.customerAtRoot(ctx, id)
}

// Customers returns a page of customers matching a search.
func (r *resolver) Customers(ctx context.Context, args struct {
	Search *string
	pageArgs
}) (*customerConnection, error) {
	access, err := auth.Authorize(ctx, auth.OpReadCustomers)
	if err != nil {
		return nil, err
	}
	first, after, err := r.page(args.pageArgs)
	if err != nil {
		return nil, err
	}
	search := ""
	if args.Search != nil {
		search = *args.Search
	}
	if search != "" && access == auth.Masked {
		// Searching by name prefix or identity would reveal, one query at a
		// time, the personal data the masking hides.
		return nil, apierror.Forbidden("a role that sees personal data masked may not search customers")
	}
	p, err := r.db.Customers(ctx, search, first, after)
	if err != nil {
		return nil, err
	}
	conn := &customerConnection{info: pageInfo{p.EndCursor, p.HasNextPage}}
	for _, c := range p.Customers {
		conn.nodes = append(conn.nodes, r.newCustomer(c, access))
	}
	return conn, nil
}

// customerByID reads a customer as the caller may see it, in a batch
// with its siblings' (a list of tickets' customers).
func (r *resolver) customerByID(ctx context.Context, id string) (*customerResolver, error) {
	return r.readCustomer(ctx, id, r.customerRecord)
}

// customerAtRoot reads a customer a query asks for at its root: alone in
// its batch, so read at once instead of after the loader's batch window
// (a screen pop's customer is most often in the view cache), then handed
// to the loader for the rest of the request.
func (r *resolver) customerAtRoot(ctx context.Context, id string) (*customerResolver, error) {
	return r.readCustomer(ctx, id, func(ctx context.Context, id string) (projections.Customer, error) {
		c, err := loadOne(ctx, nil, r.db.CustomersByID, "customer", id)
		if ls := r.loaders(ctx); err == nil && ls != nil {
			ls.customers.Prime(ctx, id, c)
		}
		return c, err
	})
}

func (r *resolver) readCustomer(ctx context.Context, id string, read func(context.Context, string) (projections.Customer, error)) (*customerResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadCustomers)
	if err != nil {
		return nil, err
	}
	c, err := read(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.newCustomerRecord(c, access), nil
}

// newCustomerRecord answers for a customer read by customerRecord, which
// leaves tags and identities to be read if the query asks for them.
func (r *resolver) newCustomerRecord(c projections.Customer, access auth.Access) *customerResolver {
	cr := r.newCustomer(c, access)
	cr.withoutDetails = true
	return cr
}

func (r *resolver) newCustomer(c projections.Customer, access auth.Access) *customerResolver {
	return &customerResolver{r: r, c: c, masked: access == auth.Masked}
}

// customerResolver is a Customer. c holds the stored profile; the 360
// aggregates are read on first use, and so are the tags and identities
// when c came without them (withoutDetails).
type customerResolver struct {
	r              *resolver
	c              projections.Customer
	masked         bool
	full           lazy[projections.Customer]
	withoutDetails bool
	details        lazy[projections.Customer]
}

// tagsAndIdentities returns the customer's tags and identities, reading
// them if c came without.
func (c *customerResolver) tagsAndIdentities(ctx context.Context) (projections.Customer, error) {
	if !c.withoutDetails {
		return c.c, nil
	}
	return c.details.get(func() (projections.Customer, error) { return c.r.customerDetails(ctx, c.c.ID) })
}

func (c *customerResolver) profile(ctx context.Context) (projections.Customer, error) {
	return c.full.get(func() (projections.Customer, error) { return c.r.db.Customer(ctx, c.c.ID) })
}

func (c *customerResolver) ID() gql.ID { return gql.ID(c.c.ID) }

func (c *customerResolver) DisplayName(ctx context.Context) string {
	noteAccess(ctx, c.c.ID, "displayName", c.masked)
	if c.masked {
		return auth.MaskName(c.c.DisplayName)
	}
	return c.c.DisplayName
}

func (c *customerResolver) Tier() string { return string(c.c.Tier) }

func (c *customerResolver) Tags(ctx context.Context) ([]string, error) {
	d, err := c.tagsAndIdentities(ctx)
	if err != nil || d.Tags == nil {
		return []string{}, err
	}
	return d.Tags, nil
}

func (c *customerResolver) Identities(ctx context.Context) ([]*identityResolver, error) {
	d, err := c.tagsAndIdentities(ctx)
	if err != nil {
		return nil, err
	}
	noteAccess(ctx, c.c.ID, "identities", c.masked)
	out := make([]*identityResolver, len(d.Identities))
	for i, id := range d.Identities {
		out[i] = &identityResolver{id: id, masked: c.masked}
	}
	return out, nil
}

func (c *customerResolver) MergedInto(ctx context.Context) (*customerResolver, error) {
	if c.c.MergedInto == "" {
		return nil, nil
	}
	return c.r.customerByID(ctx, c.c.MergedInto)
}

func (c *customerResolver) MergedFrom(ctx context.Context) ([]gql.ID, error) {
	p, err := c.profile(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]gql.ID, len(p.MergedFrom))
	for i, id := range p.MergedFrom {
		out[i] = gql.ID(id)
	}
	return out, nil
}

func (c *customerResolver) CreatedAt() gql.Time { return gql.Time{Time: c.c.CreatedAt} }

func (c *customerResolver) LastContactAt(ctx context.Context) (*gql.Time, error) {
	p, err := c.profile(ctx)
	return timeOf(p.LastContactAt), err
}

func (c *customerResolver) LastChannel(ctx context.Context) (*string, error) {
	p, err := c.profile(ctx)
	return strOf(string(p.LastChannel)), err
}

func (c *customerResolver) PreferredChannel(ctx context.Context) (*string, error) {
	p, err := c.profile(ctx)
	return strOf(string(p.PreferredChannel)), err
}

func (c *customerResolver) InteractionCount(ctx context.Context) (int32, error) {
	p, err := c.profile(ctx)
	return int32(p.InteractionCount), err
}

func (c *customerResolver) LastCsat(ctx context.Context) (*int32, error) {
	p, err := c.profile(ctx)
	return int32Of(p.LastCsat), err
}

func (c *customerResolver) Timeline(ctx context.Context, args pageArgs) (*timelineConnection, error) {
	first, after, err := c.r.page(args)
	if err != nil {
		return nil, err
	}
	p, err := c.r.db.Timeline(ctx, c.c.ID, first, after)
	if err != nil {
		return nil, err
	}
	conn := &timelineConnection{info: pageInfo{p.EndCursor, p.HasNextPage}, nodes: make([]*timelineEntry, len(p.Entries))}
	for i, e := range p.Entries {
		conn.nodes[i] = &timelineEntry{e: e, masked: c.masked}
	}
	return conn, nil
}

func (c *customerResolver) OpenTickets(ctx context.Context) ([]*ticketResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadTickets)
	if err != nil {
		return nil, err
	}
	list, err := c.r.db.OpenTickets(ctx, c.c.ID)
	if err != nil {
		return nil, err
	}
	return c.r.newTickets(list, access), nil
}

func (c *customerResolver) Interactions(ctx context.Context, args pageArgs) (*interactionConnection, error) {
	access, err := auth.Authorize(ctx, auth.OpReadInteractions)
	if err != nil {
		return nil, err
	}
	first, after, err := c.r.page(args)
	if err != nil {
		return nil, err
	}
	p, err := c.r.db.CustomerInteractions(ctx, c.c.ID, first, after)
	if err != nil {
		return nil, err
	}
	return &interactionConnection{info: pageInfo{p.EndCursor, p.HasNextPage}, nodes: c.r.newInteractions(p.Interactions, access)}, nil
}

// identityResolver is an Identity.
type identityResolver struct {
	id     domain.Identity
	masked bool
}

func (i *identityResolver) Kind() string { return string(i.id.Kind) }

func (i *identityResolver) Value() string {
	if i.masked {
		return auth.MaskIdentity(i.id.Kind, i.id.Value)
	}
	return i.id.Value
}

type customerConnection struct {
	nodes []*customerResolver
	info  pageInfo
}

func (c *customerConnection) Nodes() []*customerResolver {
	if c.nodes == nil {
		return []*customerResolver{}
	}
	return c.nodes
}
func (c *customerConnection) PageInfo() pageInfo { return c.info }

type timelineConnection struct {
	nodes []*timelineEntry
	info  pageInfo
}

func (c *timelineConnection) Nodes() []*timelineEntry { return c.nodes }
func (c *timelineConnection) PageInfo() pageInfo      { return c.info }

// timelineEntry is a TimelineEntry.
type timelineEntry struct {
	e      projections.TimelineEntry
	masked bool
}

func (t *timelineEntry) Position() Long         { return Long(t.e.Position) }
func (t *timelineEntry) At() gql.Time           { return gql.Time{Time: t.e.At} }
func (t *timelineEntry) Channel() *string       { return strOf(string(t.e.Channel)) }
func (t *timelineEntry) Kind() string           { return string(t.e.Kind) }
func (t *timelineEntry) InteractionID() *gql.ID { return idOf(t.e.InteractionID) }
func (t *timelineEntry) TicketID() *gql.ID      { return idOf(t.e.TicketID) }
func (t *timelineEntry) Summary() string        { return auth.MaskText(t.e.Summary, t.masked) }
func (t *timelineEntry) CustomerID() gql.ID     { return gql.ID(t.e.CustomerID) }
