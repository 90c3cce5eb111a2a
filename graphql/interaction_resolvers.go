package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// Interaction returns one interaction.
func (r *resolver) Interaction(ctx context.Context, args struct{ ID gql.ID }) (*interactionResolver, error) {
	return r.interactionByID(ctx, string(args.ID))
}

// interactionByID reads an interaction as the caller may see it.
func (r *resolver) interactionByID(ctx context.Context, id string) (*interactionResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadInteractions)
	if err != nil {
		return nil, err
	}
	i, err := r.interactionRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.newInteraction(i, access, nil), nil
}

func (r *resolver) newInteraction(i projections.Interaction, access auth.Access, siblings *relatedHints) *interactionResolver {
	return &interactionResolver{r: r, i: i, masked: access == auth.Masked, siblings: siblings}
}

// newInteractions wraps a list, with hints so the customers and agents of
// its items are read in one batch each.
func (r *resolver) newInteractions(list []projections.Interaction, access auth.Access) []*interactionResolver {
	customers, agents := make([]string, len(list)), make([]string, len(list))
	for i, it := range list {
		customers[i], agents[i] = it.CustomerID, it.AgentID
	}
	hints := &relatedHints{customers: newHint(customers), agents: newHint(agents)}
	out := make([]*interactionResolver, len(list))
	for i, it := range list {
		out[i] = r.newInteraction(it, access, hints)
	}
	return out
}

// relatedHints are the batch hints of one list's items.
type relatedHints struct {
	customers, agents, interactions *batchHint
}

// interactionResolver is an Interaction.
type interactionResolver struct {
	r        *resolver
	i        projections.Interaction
	masked   bool
	siblings *relatedHints
}

func (i *interactionResolver) ID() gql.ID { return gql.ID(i.i.ID) }

func (i *interactionResolver) Customer(ctx context.Context) (*customerResolver, error) {
	if i.siblings != nil {
		i.siblings.customers.prime(ctx, primeCustomers)
	}
	return i.r.customerByID(ctx, i.i.CustomerID)
}

func (i *interactionResolver) Channel() string { return string(i.i.Channel) }

func (i *interactionResolver) IdentityCheck() string {
	if i.i.IdentityCheck == domain.IdentityUnchecked {
		return "UNCHECKED"
	}
	return string(i.i.IdentityCheck)
}

func (i *interactionResolver) Identity(ctx context.Context) *identityResolver {
	noteAccess(ctx, i.i.CustomerID, "interaction.identity", i.masked)
	return &identityResolver{id: i.i.Identity, masked: i.masked}
}

func (i *interactionResolver) Subject(ctx context.Context) string {
	noteAccess(ctx, i.i.CustomerID, "interaction.subject", i.masked)
	return auth.MaskText(i.i.Subject, i.masked)
}
func (i *interactionResolver) Status() string   { return string(i.i.Status) }
func (i *interactionResolver) Queue() *string   { return strOf(i.i.Queue) }
func (i *interactionResolver) Priority() string { return string(i.i.Priority) }

func (i *interactionResolver) Agent(ctx context.Context) (*agentResolver, error) {
	if i.siblings != nil {
		i.siblings.agents.prime(ctx, primeAgents)
	}
	return i.r.optionalAgent(ctx, i.i.AgentID)
}

func (i *interactionResolver) StartedAt() gql.Time    { return gql.Time{Time: i.i.StartedAt} }
func (i *interactionResolver) QueuedAt() *gql.Time    { return timeOf(i.i.QueuedAt) }
func (i *interactionResolver) AssignedAt() *gql.Time  { return timeOf(i.i.AssignedAt) }
func (i *interactionResolver) AnsweredAt() *gql.Time  { return timeOf(i.i.AnsweredAt) }
func (i *interactionResolver) CallEndedAt() *gql.Time { return timeOf(i.i.CallEndedAt) }
func (i *interactionResolver) WrapUpExpiredAt() *gql.Time {
	return timeOf(i.i.WrapUpExpiredAt)
}
func (i *interactionResolver) ClosedAt() *gql.Time  { return timeOf(i.i.ClosedAt) }
func (i *interactionResolver) Disposition() *string { return strOf(string(i.i.Disposition)) }
func (i *interactionResolver) Summary(ctx context.Context) *string {
	noteAccess(ctx, i.i.CustomerID, "interaction.summary", i.masked)
	return strOf(auth.MaskText(i.i.Summary, i.masked))
}
func (i *interactionResolver) Csat() *int32 { return int32Of(i.i.Csat) }
func (i *interactionResolver) CsatComment(ctx context.Context) *string {
	noteAccess(ctx, i.i.CustomerID, "interaction.csatComment", i.masked)
	return strOf(auth.MaskText(i.i.CsatComment, i.masked))
}
func (i *interactionResolver) MessageCount() int32      { return int32(i.i.MessageCount) }
func (i *interactionResolver) LastMessageAt() *gql.Time { return timeOf(i.i.LastMessageAt) }

func (i *interactionResolver) Messages(ctx context.Context, args listArgs) ([]*messageResolver, error) {
	first, err := i.r.listFirst(args.First)
	if err != nil {
		return nil, err
	}
	list, err := i.r.db.Messages(ctx, i.i.ID)
	if err != nil {
		return nil, err
	}
	list = pageAfter(list, args.After, func(m projections.Message) uint64 { return m.Position }, first)
	out := make([]*messageResolver, len(list))
	shared := &deliveries{r: i.r, interactionID: i.i.ID}
	for k, m := range list {
		out[k] = &messageResolver{m: m, masked: i.masked, deliveries: shared, customerID: i.i.CustomerID, keepsFiles: i.r.files != nil}
	}
	return out, nil
}

// messageResolver is a Message.
type messageResolver struct {
	m      projections.Message
	masked bool
	// customerID is whose message it is, for the access ledger.
	customerID string
	// deliveries is the interaction's delivery record, read once for
	// the whole list when a message asks for it.
	deliveries *deliveries
	// keepsFiles is whether the server serves attachments' contents.
	keepsFiles bool
}

func (m *messageResolver) ID() string        { return m.m.MessageID }
func (m *messageResolver) Position() Long    { return Long(m.m.Position) }
func (m *messageResolver) Direction() string { return m.m.Direction }
func (m *messageResolver) AgentID() *gql.ID  { return idOf(m.m.AgentID) }
func (m *messageResolver) Text(ctx context.Context) string {
	noteAccess(ctx, m.customerID, "message.text", m.masked)
	return auth.MaskText(m.m.Text, m.masked)
}
func (m *messageResolver) SentAt() *gql.Time { return timeOf(m.m.SentAt) }
func (m *messageResolver) At() gql.Time      { return gql.Time{Time: m.m.At} }

func (m *messageResolver) Attachments() []*attachmentResolver {
	out := make([]*attachmentResolver, len(m.m.Attachments))
	for i, a := range m.m.Attachments {
		out[i] = &attachmentResolver{a: a, masked: m.masked, kind: kindInteractions, ownerID: m.m.InteractionID, keeps: m.keepsFiles}
	}
	return out
}

// attachmentResolver is an Attachment.
type attachmentResolver struct {
	a      domain.Attachment
	masked bool
	// kind and ownerID name what the file is attached to (an
	// interaction's message or a ticket's note) for its download URL.
	kind, ownerID string
	// keeps is whether the server serves kept files.
	keeps bool
}

func (a *attachmentResolver) Quarantined() *string { return strOf(a.a.Quarantined) }

// DownloadURL is where the file is downloaded from (GET, signed in), or
// null when its bytes were not kept or are quarantined.
func (a *attachmentResolver) DownloadURL(ctx context.Context) (*string, error) {
	if _, err := auth.Authorize(ctx, auth.OpDownloadFiles); err != nil {
		return nil, err
	}
	if !a.keeps || !a.a.Kept() {
		return nil, nil
	}
	u := downloadURL(a.kind, a.ownerID, a.a)
	return &u, nil
}

func (a *attachmentResolver) Name() string        { return auth.MaskText(a.a.Name, a.masked) }
func (a *attachmentResolver) ContentType() string { return a.a.ContentType }
func (a *attachmentResolver) Size() Long          { return Long(a.a.Size) }
func (a *attachmentResolver) Sha256() string      { return a.a.SHA256 }

type interactionConnection struct {
	nodes []*interactionResolver
	info  pageInfo
}

func (c *interactionConnection) Nodes() []*interactionResolver { return c.nodes }
func (c *interactionConnection) PageInfo() pageInfo            { return c.info }
