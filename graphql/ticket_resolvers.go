package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// Ticket returns one ticket by id.
func (r *resolver) Ticket(ctx context.Context, args struct{ ID gql.ID }) (*ticketResolver, error) {
	return r.ticketByID(ctx, string(args.ID))
}

// TicketByNumber returns one ticket by its number.
func (r *resolver) TicketByNumber(ctx context.Context, args struct{ Number string }) (*ticketResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadTickets)
	if err != nil {
		return nil, err
	}
	t, err := r.db.TicketByNumber(ctx, args.Number)
	if err != nil {
		return nil, err
	}
	return r.newTicket(t, access, true, nil), nil
}

// ticketFilterInput is the TicketFilter input.
type ticketFilterInput struct {
	Status         *[]string
	Priority       *[]string
	Category       *[]string
	AssigneeID     *gql.ID
	CustomerID     *gql.ID
	BusinessDomain *string
	Open           *bool
	Overdue        *bool
}

// ticketOrderInput is the TicketOrder input.
type ticketOrderInput struct {
	Field     string
	Direction string
}

// Tickets returns a filtered, ordered page of tickets.
func (r *resolver) Tickets(ctx context.Context, args struct {
	Filter  *ticketFilterInput
	OrderBy *ticketOrderInput
	pageArgs
}) (*ticketConnection, error) {
	access, err := auth.Authorize(ctx, auth.OpReadTickets)
	if err != nil {
		return nil, err
	}
	first, after, err := r.page(args.pageArgs)
	if err != nil {
		return nil, err
	}
	var order projections.TicketOrder
	if args.OrderBy != nil {
		order = projections.TicketOrder{Field: projections.TicketSortField(args.OrderBy.Field), Desc: args.OrderBy.Direction == "DESC"}
	}
	p, err := r.db.Tickets(ctx, r.ticketFilter(args.Filter), order, first, after)
	if err != nil {
		return nil, err
	}
	return &ticketConnection{nodes: r.newTickets(p.Tickets, access), info: pageInfo{p.EndCursor, p.HasNextPage}}, nil
}

func (r *resolver) ticketFilter(in *ticketFilterInput) projections.TicketFilter {
	var f projections.TicketFilter
	if in == nil {
		return f
	}
	f.Statuses = enumList[domain.TicketStatus](in.Status)
	f.Priorities = enumList[domain.Priority](in.Priority)
	f.Categories = enumList[domain.TicketCategory](in.Category)
	if in.AssigneeID != nil {
		f.AssigneeID = string(*in.AssigneeID)
	}
	if in.CustomerID != nil {
		f.CustomerID = string(*in.CustomerID)
	}
	if in.BusinessDomain != nil {
		f.BusinessDomain = *in.BusinessDomain
	}
	f.OpenOnly = in.Open != nil && *in.Open
	if in.Overdue != nil && *in.Overdue {
		f.OverdueAt = r.now()
	}
	return f
}

func enumList[T ~string](in *[]string) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(*in))
	for i, s := range *in {
		out[i] = T(s)
	}
	return out
}

// ticketByID reads a ticket, with its details, as the caller may see it.
func (r *resolver) ticketByID(ctx context.Context, id string) (*ticketResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadTickets)
	if err != nil {
		return nil, err
	}
	t, err := r.db.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.newTicket(t, access, true, nil), nil
}

func (r *resolver) newTicket(t projections.Ticket, access auth.Access, detailed bool, siblings *relatedHints) *ticketResolver {
	tr := &ticketResolver{r: r, t: t, masked: access == auth.Masked, siblings: siblings}
	if detailed {
		tr.details.get(func() (projections.Ticket, error) { return t, nil })
	}
	return tr
}

// newTickets wraps a list (whose details are read on first use), with
// hints so the customers and assignees of its items are read in one batch
// each.
func (r *resolver) newTickets(list []projections.Ticket, access auth.Access) []*ticketResolver {
	customers, agents := make([]string, len(list)), make([]string, len(list))
	for i, t := range list {
		customers[i], agents[i] = t.CustomerID, t.AssigneeID
	}
	hints := &relatedHints{customers: newHint(customers), agents: newHint(agents)}
	out := make([]*ticketResolver, len(list))
	for i, t := range list {
		out[i] = r.newTicket(t, access, false, hints)
	}
	return out
}

// ticketResolver is a Ticket. Lists do not carry collaborators, linked
// interactions and notes; those are read on first use.
type ticketResolver struct {
	r        *resolver
	t        projections.Ticket
	masked   bool
	siblings *relatedHints
	details  lazy[projections.Ticket]
}

func (t *ticketResolver) detailed(ctx context.Context) (projections.Ticket, error) {
	return t.details.get(func() (projections.Ticket, error) { return t.r.db.Ticket(ctx, t.t.ID) })
}

func (t *ticketResolver) ID() gql.ID     { return gql.ID(t.t.ID) }
func (t *ticketResolver) Number() string { return t.t.Number }

func (t *ticketResolver) Customer(ctx context.Context) (*customerResolver, error) {
	if t.siblings != nil {
		t.siblings.customers.prime(ctx, primeCustomers)
	}
	return t.r.customerByID(ctx, t.t.CustomerID)
}

func (t *ticketResolver) Category() string        { return string(t.t.Category) }
func (t *ticketResolver) Priority() string        { return string(t.t.Priority) }
func (t *ticketResolver) BusinessDomain() *string { return strOf(t.t.BusinessDomain) }
func (t *ticketResolver) Subject(ctx context.Context) string {
	noteAccess(ctx, t.t.CustomerID, "ticket.subject", t.masked)
	return auth.MaskText(t.t.Subject, t.masked)
}
func (t *ticketResolver) Description(ctx context.Context) *string {
	noteAccess(ctx, t.t.CustomerID, "ticket.description", t.masked)
	return strOf(auth.MaskText(t.t.Description, t.masked))
}
func (t *ticketResolver) Status() string { return string(t.t.Status) }

func (t *ticketResolver) Assignee(ctx context.Context) (*agentResolver, error) {
	if t.siblings != nil {
		t.siblings.agents.prime(ctx, primeAgents)
	}
	return t.r.optionalAgent(ctx, t.t.AssigneeID)
}

func (t *ticketResolver) AssigneeID() *gql.ID   { return idOf(t.t.AssigneeID) }
func (t *ticketResolver) OpenedBy() *string     { return strOf(t.t.OpenedBy) }
func (t *ticketResolver) Resolution() *string   { return strOf(auth.MaskText(t.t.Resolution, t.masked)) }
func (t *ticketResolver) ResolvedBy() *string   { return strOf(t.t.ResolvedBy) }
func (t *ticketResolver) OpenedAt() gql.Time    { return gql.Time{Time: t.t.OpenedAt} }
func (t *ticketResolver) UpdatedAt() gql.Time   { return gql.Time{Time: t.t.UpdatedAt} }
func (t *ticketResolver) ResolvedAt() *gql.Time { return timeOf(t.t.ResolvedAt) }
func (t *ticketResolver) ClosedAt() *gql.Time   { return timeOf(t.t.ClosedAt) }
func (t *ticketResolver) NoteCount() int32      { return int32(t.t.NoteCount) }

func (t *ticketResolver) Collaborators(ctx context.Context) ([]*collaboratorResolver, error) {
	d, err := t.detailed(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*collaboratorResolver, len(d.Collaborators))
	for i, c := range d.Collaborators {
		out[i] = &collaboratorResolver{c: c}
	}
	return out, nil
}

func (t *ticketResolver) Interactions(ctx context.Context) ([]*interactionResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadInteractions)
	if err != nil {
		return nil, err
	}
	d, err := t.detailed(ctx)
	if err != nil {
		return nil, err
	}
	primeInteractions(ctx, d.Interactions)
	out := make([]*interactionResolver, 0, len(d.Interactions))
	for _, id := range d.Interactions {
		i, err := t.r.interactionRecord(ctx, id)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			continue // linked before the interactions read model knew it
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t.r.newInteraction(i, access, nil))
	}
	return out, nil
}

func (t *ticketResolver) Notes(ctx context.Context, args listArgs) ([]*noteResolver, error) {
	first, err := t.r.listFirst(args.First)
	if err != nil {
		return nil, err
	}
	d, err := t.detailed(ctx)
	if err != nil {
		return nil, err
	}
	notes := pageAfter(d.Notes, args.After, func(n projections.TicketNote) uint64 { return n.Position }, first)
	out := make([]*noteResolver, len(notes))
	for i, n := range notes {
		out[i] = &noteResolver{n: n, masked: t.masked, ticketID: t.t.ID, keepsFiles: t.r.files != nil}
	}
	return out, nil
}

// collaboratorResolver is a Collaborator.
type collaboratorResolver struct{ c domain.Collaborator }

func (c *collaboratorResolver) Department() string { return c.c.Department }
func (c *collaboratorResolver) AgentID() *gql.ID   { return idOf(c.c.AgentID) }
func (c *collaboratorResolver) DueAt() *gql.Time   { return timeOf(c.c.DueAt) }

// noteResolver is a TicketNote.
type noteResolver struct {
	n          projections.TicketNote
	masked     bool
	ticketID   string
	keepsFiles bool
}

func (n *noteResolver) Attachments() []*attachmentResolver {
	out := make([]*attachmentResolver, len(n.n.Attachments))
	for i, a := range n.n.Attachments {
		out[i] = &attachmentResolver{a: a, masked: n.masked, kind: kindTickets, ownerID: n.ticketID, keeps: n.keepsFiles}
	}
	return out
}

func (n *noteResolver) Position() Long   { return Long(n.n.Position) }
func (n *noteResolver) AuthorID() string { return n.n.AuthorID }
func (n *noteResolver) Text() string     { return auth.MaskText(n.n.Text, n.masked) }
func (n *noteResolver) At() gql.Time     { return gql.Time{Time: n.n.At} }

type ticketConnection struct {
	nodes []*ticketResolver
	info  pageInfo
}

func (c *ticketConnection) Nodes() []*ticketResolver { return c.nodes }
func (c *ticketConnection) PageInfo() pageInfo       { return c.info }
