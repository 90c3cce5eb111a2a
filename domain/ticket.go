package domain

import (
	"slices"
	"strings"
	"time"
)

// Ticket is a piece of work owed to a customer, folded from ticket-<id>.
type Ticket struct {
	ID             string
	Number         string
	CustomerID     string
	Category       TicketCategory
	Priority       Priority
	BusinessDomain string
	Subject        string
	Status         TicketStatus
	AssigneeID     string
	Queue          string // set by an escalation (TicketEscalated): who should pick the ticket up
	Escalations    int
	Collaborators  []Collaborator
	Interactions   []string
	OpenedAt       time.Time
	ResolvedAt     time.Time
	ClosedAt       time.Time
	Notes          int
}

// Exists reports whether the ticket was opened.
func (t Ticket) Exists() bool { return t.Status != "" }

// Collaborator is another department helping with a ticket.
type Collaborator struct {
	Department string    `json:"department"`
	AgentID    string    `json:"agentId,omitempty"`
	DueAt      time.Time `json:"dueAt,omitzero"`
}

// Ticket events.
type (
	// TicketOpened creates a ticket.
	TicketOpened struct {
		TicketID       string         `json:"ticketId"`
		Number         string         `json:"number"`
		CustomerID     string         `json:"customerId"`
		Category       TicketCategory `json:"category"`
		Priority       Priority       `json:"priority"`
		BusinessDomain string         `json:"businessDomain,omitempty"`
		Subject        string         `json:"subject"`
		Description    string         `json:"description,omitempty"`
		InteractionID  string         `json:"interactionId,omitempty"`
		OpenedBy       string         `json:"openedBy,omitempty"`
		At             time.Time      `json:"at"`
	}
	// TicketAssigned gives the ticket to an agent.
	TicketAssigned struct {
		TicketID   string    `json:"ticketId"`
		AgentID    string    `json:"agentId"`
		PreviousID string    `json:"previousAgentId,omitempty"`
		At         time.Time `json:"at"`
	}
	// TicketStatusChanged moves the ticket between working statuses
	// (in progress, pending customer).
	TicketStatusChanged struct {
		TicketID string       `json:"ticketId"`
		From     TicketStatus `json:"from"`
		To       TicketStatus `json:"to"`
		Reason   string       `json:"reason,omitempty"`
		At       time.Time    `json:"at"`
	}
	// TicketPriorityChanged raises or lowers the priority.
	TicketPriorityChanged struct {
		TicketID string    `json:"ticketId"`
		From     Priority  `json:"from"`
		To       Priority  `json:"to"`
		Reason   string    `json:"reason,omitempty"`
		At       time.Time `json:"at"`
	}
	// TicketNoteAdded is an internal note, never shown to the customer.
	TicketNoteAdded struct {
		TicketID string `json:"ticketId"`
		AuthorID string `json:"authorId"`
		Text     string `json:"text"`
		// Attachments are files attached with the note (kept under the
		// ticket's customer).
		Attachments []Attachment `json:"attachments,omitempty"`
		At          time.Time    `json:"at"`
	}
	// TicketCollaboratorAdded brings another department in.
	TicketCollaboratorAdded struct {
		TicketID     string       `json:"ticketId"`
		Collaborator Collaborator `json:"collaborator"`
		At           time.Time    `json:"at"`
	}
	// TicketInteractionLinked ties an interaction to the ticket.
	TicketInteractionLinked struct {
		TicketID      string    `json:"ticketId"`
		InteractionID string    `json:"interactionId"`
		At            time.Time `json:"at"`
	}
	// TicketResolved records the resolution.
	TicketResolved struct {
		TicketID   string       `json:"ticketId"`
		From       TicketStatus `json:"from"`
		Resolution string       `json:"resolution"`
		ResolvedBy string       `json:"resolvedBy,omitempty"`
		At         time.Time    `json:"at"`
	}
	// TicketReopened puts a resolved ticket back to work.
	TicketReopened struct {
		TicketID string    `json:"ticketId"`
		Reason   string    `json:"reason,omitempty"`
		At       time.Time `json:"at"`
	}
	// TicketClosed ends a resolved ticket for good.
	TicketClosed struct {
		TicketID string    `json:"ticketId"`
		At       time.Time `json:"at"`
	}
)

func (TicketOpened) EventType() string            { return "TicketOpened" }
func (TicketAssigned) EventType() string          { return "TicketAssigned" }
func (TicketStatusChanged) EventType() string     { return "TicketStatusChanged" }
func (TicketPriorityChanged) EventType() string   { return "TicketPriorityChanged" }
func (TicketNoteAdded) EventType() string         { return "TicketNoteAdded" }
func (TicketCollaboratorAdded) EventType() string { return "TicketCollaboratorAdded" }
func (TicketInteractionLinked) EventType() string { return "TicketInteractionLinked" }
func (TicketResolved) EventType() string          { return "TicketResolved" }
func (TicketReopened) EventType() string          { return "TicketReopened" }
func (TicketClosed) EventType() string            { return "TicketClosed" }

func init() {
	register[TicketOpened]()
	register[TicketAssigned]()
	register[TicketStatusChanged]()
	register[TicketPriorityChanged]()
	register[TicketNoteAdded]()
	register[TicketCollaboratorAdded]()
	register[TicketInteractionLinked]()
	register[TicketResolved]()
	register[TicketReopened]()
	register[TicketClosed]()
}

// TicketCommand is a request to change a ticket.
type TicketCommand interface{ ticketCommand() }

// Ticket commands.
type (
	// OpenTicket creates a ticket.
	OpenTicket struct {
		TicketID       string
		Number         string
		CustomerID     string
		Category       TicketCategory
		Priority       Priority
		BusinessDomain string
		Subject        string
		Description    string
		InteractionID  string
		OpenedBy       string
	}
	// AssignTicket gives the ticket to an agent.
	AssignTicket struct{ AgentID string }
	// ChangeTicketStatus moves the ticket to another status; RESOLVED,
	// REOPENED and CLOSED go through their own rules.
	ChangeTicketStatus struct {
		To     TicketStatus
		Reason string
	}
	// ChangeTicketPriority raises or lowers the priority.
	ChangeTicketPriority struct {
		Priority Priority
		Reason   string
	}
	// AddTicketNote adds an internal note.
	AddTicketNote struct {
		AuthorID    string
		Text        string
		Attachments []Attachment
	}
	// AddCollaborator brings another department in.
	AddCollaborator struct{ Collaborator Collaborator }
	// LinkTicketInteraction ties an interaction to the ticket.
	LinkTicketInteraction struct{ InteractionID string }
	// ResolveTicket records the resolution.
	ResolveTicket struct {
		Resolution string
		ResolvedBy string
	}
	// ReopenTicket puts a resolved ticket back to work.
	ReopenTicket struct{ Reason string }
	// CloseTicket ends a resolved ticket.
	CloseTicket struct{}
)

func (OpenTicket) ticketCommand()            {}
func (AssignTicket) ticketCommand()          {}
func (ChangeTicketStatus) ticketCommand()    {}
func (ChangeTicketPriority) ticketCommand()  {}
func (AddTicketNote) ticketCommand()         {}
func (AddCollaborator) ticketCommand()       {}
func (LinkTicketInteraction) ticketCommand() {}
func (ResolveTicket) ticketCommand()         {}
func (ReopenTicket) ticketCommand()          {}
func (CloseTicket) ticketCommand()           {}

// allowedFrom lists, for each working status ChangeTicketStatus may move a
// ticket to, the statuses it may come from.
var allowedFrom = map[TicketStatus][]TicketStatus{
	TicketStatusInProgress:      {TicketStatusAssigned, TicketStatusPendingCustomer, TicketStatusReopened},
	TicketStatusPendingCustomer: {TicketStatusAssigned, TicketStatusInProgress, TicketStatusReopened},
}

// DecideTicket decides which events a command produces on ticket t.
func DecideTicket(t Ticket, cmd TicketCommand, now time.Time) ([]Event, error) {
	if open, ok := cmd.(OpenTicket); ok {
		return decideOpenTicket(t, open, now)
	}
	if !t.Exists() {
		return nil, notFound("ticket %s does not exist", t.ID)
	}
	if t.Status == TicketStatusClosed {
		return nil, conflict("ticket %s is closed", t.ID)
	}
	switch cmd := cmd.(type) {
	case AssignTicket:
		return decideAssignTicket(t, cmd, now)
	case ChangeTicketStatus:
		return decideTicketStatus(t, cmd, now)
	case ChangeTicketPriority:
		return decideTicketPriority(t, cmd, now)
	case AddTicketNote:
		return decideTicketNote(t, cmd, now)
	case AddCollaborator:
		return decideCollaborator(t, cmd.Collaborator, now)
	case LinkTicketInteraction:
		return decideLinkInteraction(t, cmd.InteractionID, now)
	case ResolveTicket:
		return decideResolve(t, cmd, now)
	case ReopenTicket:
		if t.Status != TicketStatusResolved {
			return nil, conflict("only a resolved ticket can be reopened; ticket %s is %s", t.ID, t.Status)
		}
		return []Event{TicketReopened{TicketID: t.ID, Reason: cmd.Reason, At: now}}, nil
	case EscalateTicket:
		return decideEscalate(t, cmd, now)
	case CloseTicket:
		if t.Status != TicketStatusResolved {
			return nil, conflict("only a resolved ticket can be closed; ticket %s is %s", t.ID, t.Status)
		}
		return []Event{TicketClosed{TicketID: t.ID, At: now}}, nil
	default:
		return nil, invalid("unknown ticket command %T", cmd)
	}
}

func decideOpenTicket(t Ticket, cmd OpenTicket, now time.Time) ([]Event, error) {
	if t.Exists() {
		return nil, conflict("ticket %s already exists", t.ID)
	}
	if cmd.TicketID == "" || cmd.CustomerID == "" || cmd.Number == "" {
		return nil, invalid("a ticket needs an id, a number and a customer")
	}
	if err := sameID("ticket", t.ID, cmd.TicketID); err != nil {
		return nil, err
	}
	if !cmd.Category.Valid() {
		return nil, invalid("unknown ticket category %q", cmd.Category)
	}
	priority := cmd.Priority
	if priority == "" {
		priority = PriorityNormal
	}
	if !priority.Valid() {
		return nil, invalid("unknown priority %q", cmd.Priority)
	}
	subject, err := cleanText(cmd.Subject, "subject", 998, false)
	if err != nil {
		return nil, err
	}
	description, err := cleanText(cmd.Description, "description", MaxMessageBytes, true)
	if err != nil {
		return nil, err
	}
	return []Event{TicketOpened{
		TicketID: cmd.TicketID, Number: cmd.Number, CustomerID: cmd.CustomerID, Category: cmd.Category,
		Priority: priority, BusinessDomain: strings.TrimSpace(cmd.BusinessDomain), Subject: subject,
		Description: description, InteractionID: cmd.InteractionID, OpenedBy: cmd.OpenedBy, At: now,
	}}, nil
}

func decideAssignTicket(t Ticket, cmd AssignTicket, now time.Time) ([]Event, error) {
	if cmd.AgentID == "" {
		return nil, invalid("an agent id is required")
	}
	if t.Status == TicketStatusResolved {
		return nil, conflict("ticket %s is resolved; reopen it first", t.ID)
	}
	if cmd.AgentID == t.AssigneeID {
		return nil, nil
	}
	return []Event{TicketAssigned{TicketID: t.ID, AgentID: cmd.AgentID, PreviousID: t.AssigneeID, At: now}}, nil
}

func decideTicketStatus(t Ticket, cmd ChangeTicketStatus, now time.Time) ([]Event, error) {
	switch cmd.To {
	case TicketStatusResolved:
		return decideResolve(t, ResolveTicket{Resolution: cmd.Reason}, now)
	case TicketStatusReopened:
		return DecideTicket(t, ReopenTicket{Reason: cmd.Reason}, now)
	case TicketStatusClosed:
		return DecideTicket(t, CloseTicket{}, now)
	case TicketStatusAssigned, TicketStatusNew:
		return nil, conflict("a ticket becomes %s by assignment or opening, not by a status change", cmd.To)
	}
	from, ok := allowedFrom[cmd.To]
	if !ok {
		return nil, invalid("unknown ticket status %q", cmd.To)
	}
	if t.Status == cmd.To {
		return nil, nil
	}
	if !slices.Contains(from, t.Status) {
		return nil, conflict("ticket %s cannot go from %s to %s", t.ID, t.Status, cmd.To)
	}
	return []Event{TicketStatusChanged{TicketID: t.ID, From: t.Status, To: cmd.To, Reason: cmd.Reason, At: now}}, nil
}

func decideTicketPriority(t Ticket, cmd ChangeTicketPriority, now time.Time) ([]Event, error) {
	if !cmd.Priority.Valid() {
		return nil, invalid("unknown priority %q", cmd.Priority)
	}
	if cmd.Priority == t.Priority {
		return nil, nil
	}
	return []Event{TicketPriorityChanged{TicketID: t.ID, From: t.Priority, To: cmd.Priority, Reason: cmd.Reason, At: now}}, nil
}

func decideTicketNote(t Ticket, cmd AddTicketNote, now time.Time) ([]Event, error) {
	if cmd.AuthorID == "" {
		return nil, invalid("a note needs its author")
	}
	text, err := cleanText(cmd.Text, "note", MaxMessageBytes, len(cmd.Attachments) > 0)
	if err != nil {
		return nil, err
	}
	if err := checkAttachments(cmd.Attachments); err != nil {
		return nil, err
	}
	return []Event{TicketNoteAdded{TicketID: t.ID, AuthorID: cmd.AuthorID, Text: text, Attachments: cmd.Attachments, At: now}}, nil
}

func decideCollaborator(t Ticket, c Collaborator, now time.Time) ([]Event, error) {
	c.Department = strings.TrimSpace(c.Department)
	if c.Department == "" {
		return nil, invalid("a collaborator needs a department")
	}
	if slices.Contains(t.Collaborators, c) {
		return nil, nil
	}
	return []Event{TicketCollaboratorAdded{TicketID: t.ID, Collaborator: c, At: now}}, nil
}

func decideLinkInteraction(t Ticket, interactionID string, now time.Time) ([]Event, error) {
	if interactionID == "" {
		return nil, invalid("an interaction id is required")
	}
	if slices.Contains(t.Interactions, interactionID) {
		return nil, nil
	}
	return []Event{TicketInteractionLinked{TicketID: t.ID, InteractionID: interactionID, At: now}}, nil
}

func decideResolve(t Ticket, cmd ResolveTicket, now time.Time) ([]Event, error) {
	if t.Status == TicketStatusResolved {
		return nil, nil
	}
	resolution, err := cleanText(cmd.Resolution, "resolution", MaxMessageBytes, true)
	if err != nil {
		return nil, err
	}
	return []Event{TicketResolved{TicketID: t.ID, From: t.Status, Resolution: resolution, ResolvedBy: cmd.ResolvedBy, At: now}}, nil
}

// EvolveTicket folds one event into the ticket's state.
func EvolveTicket(t Ticket, e Event) Ticket {
	switch e := e.(type) {
	case TicketOpened:
		t = Ticket{
			ID: e.TicketID, Number: e.Number, CustomerID: e.CustomerID, Category: e.Category,
			Priority: e.Priority, BusinessDomain: e.BusinessDomain, Subject: e.Subject,
			Status: TicketStatusNew, OpenedAt: e.At,
		}
		if e.InteractionID != "" {
			t.Interactions = []string{e.InteractionID}
		}
	case TicketAssigned:
		t.AssigneeID = e.AgentID
		if t.Status == TicketStatusNew || t.Status == TicketStatusReopened {
			t.Status = TicketStatusAssigned
		}
	case TicketStatusChanged:
		t.Status = e.To
	case TicketPriorityChanged:
		t.Priority = e.To
	case TicketNoteAdded:
		t.Notes++
	case TicketCollaboratorAdded:
		t.Collaborators = appendUnique(t.Collaborators, e.Collaborator)
	case TicketInteractionLinked:
		t.Interactions = appendUnique(t.Interactions, e.InteractionID)
	case TicketResolved:
		t.Status, t.ResolvedAt = TicketStatusResolved, e.At
	case TicketReopened:
		t.Status, t.ResolvedAt = TicketStatusReopened, time.Time{}
	case TicketClosed:
		t.Status, t.ClosedAt = TicketStatusClosed, e.At
	case TicketEscalated:
		t.Queue, t.Priority = e.Queue, e.Priority
		t.Escalations++
	}
	return t
}
