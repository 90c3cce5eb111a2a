package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// OpenTicket opens a ticket for a customer.
func (r *resolver) OpenTicket(ctx context.Context, args struct {
	CustomerID     gql.ID
	Category       string
	Priority       string
	Subject        string
	Description    *string
	BusinessDomain *string
	InteractionID  *gql.ID
	IdempotencyKey *string
	Consistency    string
}) (*ticketPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnTicket, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	cmd := domain.OpenTicket{
		CustomerID: string(args.CustomerID), Category: domain.TicketCategory(args.Category), Priority: domain.Priority(args.Priority),
		Subject: args.Subject, Description: deref(args.Description), BusinessDomain: deref(args.BusinessDomain),
		InteractionID: string(deref(args.InteractionID)), OpenedBy: v.Subject,
	}
	res, ticket, err := r.cmds.OpenTicket(ctx, cmd, meta)
	if err != nil {
		return nil, err
	}
	return &ticketPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: ticket.ID}, nil
}

// AssignTicket gives a ticket to an agent. Taking an unassigned ticket for
// oneself needs auth.OpTakeTicket; anything else is a reassignment. The check
// reads the ticket before the command, so an assignment racing in between
// can make a take a reassignment; the ledger records who did it either way.
func (r *resolver) AssignTicket(ctx context.Context, args struct {
	TicketID       gql.ID
	AgentID        gql.ID
	IdempotencyKey *string
	Consistency    string
}) (*ticketPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpTakeTicket, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	id, agent := string(args.TicketID), string(args.AgentID)
	op := auth.OpReassignTicket
	if agent == v.Subject {
		t, err := r.cmds.LoadTicket(ctx, id)
		if err != nil {
			return nil, err
		}
		if t.AssigneeID == "" || t.AssigneeID == v.Subject {
			op = auth.OpTakeTicket
		}
	}
	if _, err := auth.Authorize(ctx, op); err != nil {
		return nil, err
	}
	return r.ticketCommand(ctx, id, domain.AssignTicket{AgentID: agent}, meta, args.Consistency)
}

// ChangeTicketStatus moves a ticket through its workflow.
func (r *resolver) ChangeTicketStatus(ctx context.Context, args struct {
	TicketID       gql.ID
	Status         string
	Reason         *string
	IdempotencyKey *string
	Consistency    string
}) (*ticketPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnTicket, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	status := domain.TicketStatus(args.Status)
	var cmd domain.TicketCommand = domain.ChangeTicketStatus{To: status, Reason: deref(args.Reason)}
	if status == domain.TicketStatusResolved {
		// Resolving records who resolved it, which a status change cannot.
		cmd = domain.ResolveTicket{Resolution: deref(args.Reason), ResolvedBy: v.Subject}
	}
	return r.ticketCommand(ctx, string(args.TicketID), cmd, meta, args.Consistency)
}

// CommentOnTicket adds the caller's internal note to a ticket.
func (r *resolver) CommentOnTicket(ctx context.Context, args struct {
	TicketID       gql.ID
	Text           string
	Files          *[]string
	IdempotencyKey *string
	Consistency    string
}) (*ticketPayload, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnTicket, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	files, err := r.attachments(ctx, args.Files, "ticket:"+string(args.TicketID))
	if err != nil {
		return nil, err
	}
	return r.ticketCommand(ctx, string(args.TicketID), domain.AddTicketNote{AuthorID: v.Subject, Text: args.Text, Attachments: files}, meta, args.Consistency)
}

// AddCollaborator brings another department in on a ticket.
func (r *resolver) AddCollaborator(ctx context.Context, args struct {
	TicketID       gql.ID
	Department     string
	AgentID        *gql.ID
	DueAt          *gql.Time
	IdempotencyKey *string
	Consistency    string
}) (*ticketPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpActOnTicket, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	c := domain.Collaborator{Department: args.Department, AgentID: string(deref(args.AgentID))}
	if args.DueAt != nil {
		c.DueAt = args.DueAt.Time.UTC()
	}
	return r.ticketCommand(ctx, string(args.TicketID), domain.AddCollaborator{Collaborator: c}, meta, args.Consistency)
}

func (r *resolver) ticketCommand(ctx context.Context, id string, cmd domain.TicketCommand, meta commands.Meta, consistency string) (*ticketPayload, error) {
	res, err := r.cmds.Ticket(ctx, id, cmd, meta)
	if err != nil {
		return nil, err
	}
	return &ticketPayload{settled: r.settle(ctx, consistency, res.Position), r: r, id: id}, nil
}
