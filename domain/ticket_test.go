package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideTicket(t *testing.T) {
	open := domain.TicketOpened{TicketID: "t1", Number: "T-1001", CustomerID: "c1", Category: domain.CategoryComplaint,
		Priority: domain.PriorityNormal, Subject: "Refund not received", InteractionID: "i1", At: ago(time24h)}
	opened := events(open)
	assigned := concat(opened, events(domain.TicketAssigned{TicketID: "t1", AgentID: "a1", At: ago(20 * hour)}))
	inProgress := concat(assigned, events(domain.TicketStatusChanged{TicketID: "t1", From: domain.TicketStatusAssigned, To: domain.TicketStatusInProgress, At: ago(10 * hour)}))
	pending := concat(inProgress, events(domain.TicketStatusChanged{TicketID: "t1", From: domain.TicketStatusInProgress, To: domain.TicketStatusPendingCustomer, At: ago(5 * hour)}))
	resolved := concat(inProgress, events(domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusInProgress, Resolution: "refunded", At: ago(2 * hour)}))
	reopened := concat(resolved, events(domain.TicketReopened{TicketID: "t1", Reason: "still no money", At: ago(hour)}))
	closed := concat(resolved, events(domain.TicketClosed{TicketID: "t1", At: ago(hour)}))
	dueAt := time.Date(2025, 3, 15, 18, 0, 0, 0, time.UTC)
	finance := domain.Collaborator{Department: "Finance", AgentID: "f7", DueAt: dueAt}
	withFinance := concat(inProgress, events(domain.TicketCollaboratorAdded{TicketID: "t1", Collaborator: finance, At: ago(hour)}))

	status := func(to domain.TicketStatus) domain.ChangeTicketStatus { return domain.ChangeTicketStatus{To: to} }
	changed := func(from, to domain.TicketStatus) []domain.Event {
		return events(domain.TicketStatusChanged{TicketID: "t1", From: from, To: to, At: now})
	}
	wantStatus := func(s domain.TicketStatus) func(*testing.T, domain.Ticket) {
		return func(t *testing.T, tk domain.Ticket) { eq(t, "Status", tk.Status, s) }
	}

	cases := []decideCase[domain.Ticket, domain.TicketCommand]{
		// OpenTicket
		{
			name: "open",
			cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1001", CustomerID: "c1", Category: domain.CategoryFaultReport,
				BusinessDomain: " broadband ", Subject: " No internet ", Description: " since Monday ", InteractionID: "i1", OpenedBy: "a1"},
			want: events(domain.TicketOpened{TicketID: "t1", Number: "T-1001", CustomerID: "c1", Category: domain.CategoryFaultReport,
				Priority: domain.PriorityNormal, BusinessDomain: "broadband", Subject: "No internet", Description: "since Monday",
				InteractionID: "i1", OpenedBy: "a1", At: now}),
			check: func(t *testing.T, tk domain.Ticket) {
				eq(t, "Exists", tk.Exists(), true)
				eq(t, "Status", tk.Status, domain.TicketStatusNew)
				eq(t, "Status.Open", tk.Status.Open(), true)
				eq(t, "Number", tk.Number, "T-1001")
				eq(t, "Priority", tk.Priority, domain.PriorityNormal)
				eq(t, "BusinessDomain", tk.BusinessDomain, "broadband")
				eq(t, "OpenedAt", tk.OpenedAt, now)
				eq(t, "AssigneeID", tk.AssigneeID, "")
				deepEq(t, "Interactions", tk.Interactions, []string{"i1"})
			},
		},
		{name: "open critical", cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Priority: domain.PriorityCritical, Subject: "s"},
			want: events(domain.TicketOpened{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Priority: domain.PriorityCritical, Subject: "s", At: now})},
		{name: "open twice", given: opened, cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1001", CustomerID: "c1", Category: domain.CategoryComplaint, Subject: "s"}, code: domain.ECONFLICT},
		{name: "open another ticket's id on this stream", cmd: domain.OpenTicket{TicketID: "t2", Number: "T-2", CustomerID: "c1", Category: domain.CategoryInquiry, Subject: "s"}, code: domain.EINVALID},
		{name: "open without id", cmd: domain.OpenTicket{Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Subject: "s"}, code: domain.EINVALID},
		{name: "open without number", cmd: domain.OpenTicket{TicketID: "t1", CustomerID: "c1", Category: domain.CategoryInquiry, Subject: "s"}, code: domain.EINVALID},
		{name: "open without customer", cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1", Category: domain.CategoryInquiry, Subject: "s"}, code: domain.EINVALID},
		{name: "open with unknown category", cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: "PRAISE", Subject: "s"}, code: domain.EINVALID},
		{name: "open with unknown priority", cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Priority: "LOW", Subject: "s"}, code: domain.EINVALID},
		{name: "open without subject", cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Subject: " "}, code: domain.EINVALID},
		{name: "open with subject too long", cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Subject: strings.Repeat("s", 999)}, code: domain.EINVALID},
		{name: "open with description too long", cmd: domain.OpenTicket{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryInquiry, Subject: "s",
			Description: strings.Repeat("d", domain.MaxMessageBytes+1)}, code: domain.EINVALID},

		{name: "assign unknown ticket", cmd: domain.AssignTicket{AgentID: "a1"}, code: domain.ENOTFOUND},
		{name: "nil command", given: opened, cmd: nil, code: domain.EINVALID},

		// AssignTicket
		{
			name: "assign a new ticket", given: opened, cmd: domain.AssignTicket{AgentID: "a1"},
			want: events(domain.TicketAssigned{TicketID: "t1", AgentID: "a1", At: now}),
			check: func(t *testing.T, tk domain.Ticket) {
				eq(t, "Status", tk.Status, domain.TicketStatusAssigned)
				eq(t, "AssigneeID", tk.AssigneeID, "a1")
			},
		},
		{
			name: "reassign a ticket in progress", given: inProgress, cmd: domain.AssignTicket{AgentID: "a2"},
			want: events(domain.TicketAssigned{TicketID: "t1", AgentID: "a2", PreviousID: "a1", At: now}),
			check: func(t *testing.T, tk domain.Ticket) {
				eq(t, "Status", tk.Status, domain.TicketStatusInProgress)
				eq(t, "AssigneeID", tk.AssigneeID, "a2")
			},
		},
		{name: "reassign a ticket pending the customer", given: pending, cmd: domain.AssignTicket{AgentID: "a2"},
			want: events(domain.TicketAssigned{TicketID: "t1", AgentID: "a2", PreviousID: "a1", At: now}), check: wantStatus(domain.TicketStatusPendingCustomer)},
		{name: "assign a reopened ticket to someone else", given: reopened, cmd: domain.AssignTicket{AgentID: "a2"},
			want: events(domain.TicketAssigned{TicketID: "t1", AgentID: "a2", PreviousID: "a1", At: now}), check: wantStatus(domain.TicketStatusAssigned)},
		{name: "assign a reopened ticket to its assignee", given: reopened, cmd: domain.AssignTicket{AgentID: "a1"}},
		{name: "assign to the same agent", given: assigned, cmd: domain.AssignTicket{AgentID: "a1"}},
		{name: "assign without agent", given: opened, cmd: domain.AssignTicket{}, code: domain.EINVALID},
		{name: "assign a resolved ticket", given: resolved, cmd: domain.AssignTicket{AgentID: "a2"}, code: domain.ECONFLICT},
		{name: "assign a closed ticket", given: closed, cmd: domain.AssignTicket{AgentID: "a2"}, code: domain.ECONFLICT},
		{name: "assign a closed ticket to its assignee", given: closed, cmd: domain.AssignTicket{AgentID: "a1"}, code: domain.ECONFLICT},

		// ChangeTicketStatus between working statuses
		{name: "new to in progress", given: opened, cmd: status(domain.TicketStatusInProgress), code: domain.ECONFLICT},
		{name: "new to pending customer", given: opened, cmd: status(domain.TicketStatusPendingCustomer), code: domain.ECONFLICT},
		{name: "assigned to in progress", given: assigned, cmd: domain.ChangeTicketStatus{To: domain.TicketStatusInProgress, Reason: "started"},
			want:  events(domain.TicketStatusChanged{TicketID: "t1", From: domain.TicketStatusAssigned, To: domain.TicketStatusInProgress, Reason: "started", At: now}),
			check: wantStatus(domain.TicketStatusInProgress)},
		{name: "assigned to pending customer", given: assigned, cmd: status(domain.TicketStatusPendingCustomer),
			want: changed(domain.TicketStatusAssigned, domain.TicketStatusPendingCustomer), check: wantStatus(domain.TicketStatusPendingCustomer)},
		{name: "in progress to pending customer", given: inProgress, cmd: status(domain.TicketStatusPendingCustomer),
			want: changed(domain.TicketStatusInProgress, domain.TicketStatusPendingCustomer), check: wantStatus(domain.TicketStatusPendingCustomer)},
		{name: "pending customer to in progress", given: pending, cmd: status(domain.TicketStatusInProgress),
			want: changed(domain.TicketStatusPendingCustomer, domain.TicketStatusInProgress), check: wantStatus(domain.TicketStatusInProgress)},
		{name: "reopened to in progress", given: reopened, cmd: status(domain.TicketStatusInProgress),
			want: changed(domain.TicketStatusReopened, domain.TicketStatusInProgress), check: wantStatus(domain.TicketStatusInProgress)},
		{name: "reopened to pending customer", given: reopened, cmd: status(domain.TicketStatusPendingCustomer),
			want: changed(domain.TicketStatusReopened, domain.TicketStatusPendingCustomer)},
		{name: "in progress to in progress", given: inProgress, cmd: status(domain.TicketStatusInProgress)},
		{name: "pending to pending", given: pending, cmd: status(domain.TicketStatusPendingCustomer)},
		{name: "resolved to in progress", given: resolved, cmd: status(domain.TicketStatusInProgress), code: domain.ECONFLICT},
		{name: "resolved to pending customer", given: resolved, cmd: status(domain.TicketStatusPendingCustomer), code: domain.ECONFLICT},
		{name: "status change to assigned", given: inProgress, cmd: status(domain.TicketStatusAssigned), code: domain.ECONFLICT},
		{name: "status change to new", given: assigned, cmd: status(domain.TicketStatusNew), code: domain.ECONFLICT},
		{name: "status change to unknown status", given: assigned, cmd: status("WAITING"), code: domain.EINVALID},
		{name: "status change to empty status", given: assigned, cmd: status(""), code: domain.EINVALID},
		// ChangeTicketStatus to RESOLVED / REOPENED / CLOSED goes through their rules.
		{name: "status change to resolved", given: pending, cmd: domain.ChangeTicketStatus{To: domain.TicketStatusResolved, Reason: "done"},
			want: events(domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusPendingCustomer, Resolution: "done", At: now}), check: wantStatus(domain.TicketStatusResolved)},
		{name: "status change to reopened", given: resolved, cmd: domain.ChangeTicketStatus{To: domain.TicketStatusReopened, Reason: "again"},
			want: events(domain.TicketReopened{TicketID: "t1", Reason: "again", At: now}), check: wantStatus(domain.TicketStatusReopened)},
		{name: "status change to reopened from in progress", given: inProgress, cmd: status(domain.TicketStatusReopened), code: domain.ECONFLICT},
		{name: "status change to closed", given: resolved, cmd: status(domain.TicketStatusClosed),
			want: events(domain.TicketClosed{TicketID: "t1", At: now}), check: wantStatus(domain.TicketStatusClosed)},
		{name: "status change to closed from in progress", given: inProgress, cmd: status(domain.TicketStatusClosed), code: domain.ECONFLICT},
		{name: "status change on a closed ticket", given: closed, cmd: status(domain.TicketStatusInProgress), code: domain.ECONFLICT},

		// ResolveTicket
		{
			name: "resolve", given: inProgress, cmd: domain.ResolveTicket{Resolution: " refunded 100 CNY ", ResolvedBy: "a1"},
			want: events(domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusInProgress, Resolution: "refunded 100 CNY", ResolvedBy: "a1", At: now}),
			check: func(t *testing.T, tk domain.Ticket) {
				eq(t, "Status", tk.Status, domain.TicketStatusResolved)
				eq(t, "Status.Open", tk.Status.Open(), false)
				eq(t, "ResolvedAt", tk.ResolvedAt, now)
			},
		},
		{name: "resolve a reopened ticket", given: reopened, cmd: domain.ResolveTicket{},
			want: events(domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusReopened, At: now}), check: wantStatus(domain.TicketStatusResolved)},
		{name: "resolve a resolved ticket", given: resolved, cmd: domain.ResolveTicket{Resolution: "again"}},
		{name: "resolve with resolution not UTF-8", given: inProgress, cmd: domain.ResolveTicket{Resolution: "\xff"}, code: domain.EINVALID},
		{name: "resolve a closed ticket", given: closed, cmd: domain.ResolveTicket{}, code: domain.ECONFLICT},

		// ReopenTicket
		{
			name: "reopen", given: resolved, cmd: domain.ReopenTicket{Reason: "still broken"},
			want: events(domain.TicketReopened{TicketID: "t1", Reason: "still broken", At: now}),
			check: func(t *testing.T, tk domain.Ticket) {
				eq(t, "Status", tk.Status, domain.TicketStatusReopened)
				eq(t, "Status.Open", tk.Status.Open(), true)
				eq(t, "ResolvedAt", tk.ResolvedAt, time.Time{})
				eq(t, "AssigneeID", tk.AssigneeID, "a1")
			},
		},
		{name: "reopen a new ticket", given: opened, cmd: domain.ReopenTicket{}, code: domain.ECONFLICT},
		{name: "reopen a ticket in progress", given: inProgress, cmd: domain.ReopenTicket{}, code: domain.ECONFLICT},
		{name: "reopen a ticket pending the customer", given: pending, cmd: domain.ReopenTicket{}, code: domain.ECONFLICT},
		{name: "reopen a reopened ticket", given: reopened, cmd: domain.ReopenTicket{}, code: domain.ECONFLICT},
		{name: "reopen a closed ticket", given: closed, cmd: domain.ReopenTicket{}, code: domain.ECONFLICT},

		// CloseTicket
		{
			name: "close", given: resolved, cmd: domain.CloseTicket{},
			want: events(domain.TicketClosed{TicketID: "t1", At: now}),
			check: func(t *testing.T, tk domain.Ticket) {
				eq(t, "Status", tk.Status, domain.TicketStatusClosed)
				eq(t, "Status.Open", tk.Status.Open(), false)
				eq(t, "ClosedAt", tk.ClosedAt, now)
			},
		},
		{name: "close a new ticket", given: opened, cmd: domain.CloseTicket{}, code: domain.ECONFLICT},
		{name: "close a ticket in progress", given: inProgress, cmd: domain.CloseTicket{}, code: domain.ECONFLICT},
		{name: "close a reopened ticket", given: reopened, cmd: domain.CloseTicket{}, code: domain.ECONFLICT},
		{name: "close a closed ticket", given: closed, cmd: domain.CloseTicket{}, code: domain.ECONFLICT},

		// ChangeTicketPriority
		{name: "raise priority", given: inProgress, cmd: domain.ChangeTicketPriority{Priority: domain.PriorityUrgent, Reason: "VIP"},
			want:  events(domain.TicketPriorityChanged{TicketID: "t1", From: domain.PriorityNormal, To: domain.PriorityUrgent, Reason: "VIP", At: now}),
			check: func(t *testing.T, tk domain.Ticket) { eq(t, "Priority", tk.Priority, domain.PriorityUrgent) }},
		{name: "priority unchanged", given: inProgress, cmd: domain.ChangeTicketPriority{Priority: domain.PriorityNormal}},
		{name: "priority unknown", given: inProgress, cmd: domain.ChangeTicketPriority{Priority: "HIGH"}, code: domain.EINVALID},
		{name: "priority on a closed ticket", given: closed, cmd: domain.ChangeTicketPriority{Priority: domain.PriorityUrgent}, code: domain.ECONFLICT},

		// AddTicketNote
		{name: "add note", given: inProgress, cmd: domain.AddTicketNote{AuthorID: "a1", Text: " called the bank "},
			want:  events(domain.TicketNoteAdded{TicketID: "t1", AuthorID: "a1", Text: "called the bank", At: now}),
			check: func(t *testing.T, tk domain.Ticket) { eq(t, "Notes", tk.Notes, 1) }},
		{name: "add note to a resolved ticket", given: resolved, cmd: domain.AddTicketNote{AuthorID: "a1", Text: "customer thanked us"},
			want: events(domain.TicketNoteAdded{TicketID: "t1", AuthorID: "a1", Text: "customer thanked us", At: now})},
		{name: "add note without author", given: inProgress, cmd: domain.AddTicketNote{Text: "x"}, code: domain.EINVALID},
		{name: "add empty note", given: inProgress, cmd: domain.AddTicketNote{AuthorID: "a1", Text: "\t"}, code: domain.EINVALID},
		{name: "add note to a closed ticket", given: closed, cmd: domain.AddTicketNote{AuthorID: "a1", Text: "x"}, code: domain.ECONFLICT},

		// AddCollaborator
		{name: "add collaborator", given: inProgress, cmd: domain.AddCollaborator{Collaborator: domain.Collaborator{Department: " Finance ", AgentID: "f7", DueAt: dueAt}},
			want: events(domain.TicketCollaboratorAdded{TicketID: "t1", Collaborator: finance, At: now}),
			check: func(t *testing.T, tk domain.Ticket) {
				deepEq(t, "Collaborators", tk.Collaborators, []domain.Collaborator{finance})
			}},
		{name: "add collaborator again", given: withFinance, cmd: domain.AddCollaborator{Collaborator: finance}},
		{name: "add collaborator without department", given: inProgress, cmd: domain.AddCollaborator{Collaborator: domain.Collaborator{AgentID: "f7"}}, code: domain.EINVALID},
		{name: "add collaborator to a closed ticket", given: closed, cmd: domain.AddCollaborator{Collaborator: finance}, code: domain.ECONFLICT},

		// LinkTicketInteraction
		{name: "link interaction", given: inProgress, cmd: domain.LinkTicketInteraction{InteractionID: "i2"},
			want:  events(domain.TicketInteractionLinked{TicketID: "t1", InteractionID: "i2", At: now}),
			check: func(t *testing.T, tk domain.Ticket) { deepEq(t, "Interactions", tk.Interactions, []string{"i1", "i2"}) }},
		{name: "link the interaction it was opened from", given: inProgress, cmd: domain.LinkTicketInteraction{InteractionID: "i1"}},
		{name: "link interaction without id", given: inProgress, cmd: domain.LinkTicketInteraction{}, code: domain.EINVALID},
		{name: "link interaction to a closed ticket", given: closed, cmd: domain.LinkTicketInteraction{InteractionID: "i2"}, code: domain.ECONFLICT},
	}
	runDecide(t, domain.Ticket{ID: "t1"}, domain.EvolveTicket, domain.DecideTicket, cases)
}

// TestTicketWorkflow walks a ticket through its whole life.
func TestTicketWorkflow(t *testing.T) {
	var tk domain.Ticket
	for n, step := range []struct {
		cmd  domain.TicketCommand
		want domain.TicketStatus
	}{
		{domain.OpenTicket{TicketID: "t1", Number: "T-7", CustomerID: "c1", Category: domain.CategoryComplaint, Subject: "late delivery"}, domain.TicketStatusNew},
		{domain.AssignTicket{AgentID: "a1"}, domain.TicketStatusAssigned},
		{domain.ChangeTicketStatus{To: domain.TicketStatusInProgress}, domain.TicketStatusInProgress},
		{domain.ChangeTicketStatus{To: domain.TicketStatusPendingCustomer}, domain.TicketStatusPendingCustomer},
		{domain.ChangeTicketStatus{To: domain.TicketStatusInProgress}, domain.TicketStatusInProgress},
		{domain.ResolveTicket{Resolution: "redelivered"}, domain.TicketStatusResolved},
		{domain.ReopenTicket{Reason: "wrong parcel"}, domain.TicketStatusReopened},
		{domain.AssignTicket{AgentID: "a2"}, domain.TicketStatusAssigned},
		{domain.ChangeTicketStatus{To: domain.TicketStatusInProgress}, domain.TicketStatusInProgress},
		{domain.ResolveTicket{Resolution: "right parcel delivered"}, domain.TicketStatusResolved},
		{domain.CloseTicket{}, domain.TicketStatusClosed},
	} {
		es, err := domain.DecideTicket(tk, step.cmd, now.Add(time.Duration(n)*time.Hour))
		if err != nil || len(es) == 0 {
			t.Fatalf("step %d %T: events %v, err %v", n, step.cmd, es, err)
		}
		tk = foldAll(tk, domain.EvolveTicket, es)
		if tk.Status != step.want {
			t.Fatalf("step %d %T: status %s, want %s", n, step.cmd, tk.Status, step.want)
		}
	}
	eq(t, "AssigneeID", tk.AssigneeID, "a2")
	eq(t, "ResolvedAt", tk.ResolvedAt, now.Add(9*time.Hour))
	eq(t, "ClosedAt", tk.ClosedAt, now.Add(10*time.Hour))
	// Nothing happens to a closed ticket.
	for _, cmd := range []domain.TicketCommand{
		domain.AssignTicket{AgentID: "a3"}, domain.ChangeTicketStatus{To: domain.TicketStatusInProgress},
		domain.ChangeTicketPriority{Priority: domain.PriorityCritical}, domain.AddTicketNote{AuthorID: "a1", Text: "x"},
		domain.AddCollaborator{Collaborator: domain.Collaborator{Department: "Legal"}}, domain.LinkTicketInteraction{InteractionID: "i9"},
		domain.ResolveTicket{}, domain.ReopenTicket{}, domain.CloseTicket{},
	} {
		if es, err := domain.DecideTicket(tk, cmd, now); domain.ErrorCode(err) != domain.ECONFLICT || len(es) != 0 {
			t.Errorf("%T on a closed ticket: events %v, err %v; want %s", cmd, es, err, domain.ECONFLICT)
		}
	}
}
