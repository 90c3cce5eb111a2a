package projections

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// BenchmarkTicketsQuery pages through 200,000 tickets with the filters and
// orders a supervisor's and an agent's views use.
//
//	go test -run '^$' -bench BenchmarkTicketsQuery ./projections/
func BenchmarkTicketsQuery(b *testing.B) {
	ctx := context.Background()
	db, err := OpenReadDB(ctx, filepath.Join(b.TempDir(), "read.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	fillTickets(b, db, 200_000)
	cases := []struct {
		name string
		f    TicketFilter
		o    TicketOrder
	}{
		{"all/newest", TicketFilter{}, TicketOrder{Field: TicketsByOpenedAt, Desc: true}},
		{"open/most-urgent", TicketFilter{OpenOnly: true}, TicketOrder{Field: TicketsByPriority, Desc: true}},
		{"open/recently-updated", TicketFilter{OpenOnly: true}, TicketOrder{Field: TicketsByUpdatedAt, Desc: true}},
		{"status/oldest", TicketFilter{Statuses: []domain.TicketStatus{domain.TicketStatusPendingCustomer}}, TicketOrder{Field: TicketsByOpenedAt}},
		{"assignee-open/oldest", TicketFilter{AssigneeID: "agent-7", OpenOnly: true}, TicketOrder{Field: TicketsByOpenedAt}},
		{"customer/newest", TicketFilter{CustomerID: "c-42"}, TicketOrder{Field: TicketsByOpenedAt, Desc: true}},
		{"critical-complaints/updated", TicketFilter{Priorities: []domain.Priority{domain.PriorityCritical},
			Categories: []domain.TicketCategory{domain.CategoryComplaint}}, TicketOrder{Field: TicketsByUpdatedAt, Desc: true}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			first, err := db.Tickets(ctx, c.f, c.o, 50, "")
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() { // the second page: keyset from a cursor
				if _, err := db.Tickets(ctx, c.f, c.o, 50, first.EndCursor); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// fillTickets writes n tickets straight into the table, spread over
// statuses, priorities, categories, 50 agents and 5,000 customers.
func fillTickets(b *testing.B, db *ReadDB, n int) {
	b.Helper()
	_, err := db.w.Exec(`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ? - 1)
		INSERT INTO tickets (id, number, customer_id, category, priority, priority_rank, business_domain, subject,
			description, status, is_open, assignee_id, opened_by, opened_at, updated_at)
		SELECT printf('t%08d', (i * 7919) % ?), printf('T%08d', i), printf('c-%d', i % 5000),
			CASE i % 4 WHEN 0 THEN 'INQUIRY' WHEN 1 THEN 'COMPLAINT' WHEN 2 THEN 'SUGGESTION' ELSE 'FAULT_REPORT' END,
			CASE i % 3 WHEN 0 THEN 'NORMAL' WHEN 1 THEN 'URGENT' ELSE 'CRITICAL' END, i % 3, 'retail', 'subject', '',
			CASE i % 7 WHEN 0 THEN 'NEW' WHEN 1 THEN 'ASSIGNED' WHEN 2 THEN 'IN_PROGRESS' WHEN 3 THEN 'PENDING_CUSTOMER'
				WHEN 4 THEN 'RESOLVED' ELSE 'CLOSED' END,
			CASE WHEN i % 7 IN (4, 5, 6) THEN 0 ELSE 1 END,
			CASE WHEN i % 7 = 0 THEN '' ELSE printf('agent-%d', i % 50) END, 'a',
			1700000000000000000 + i * 60000000000, 1700000000000000000 + i * 60000000000 + (i % 97) * 3600000000000
		FROM seq`, n, n)
	if err != nil {
		b.Fatal(err)
	}
}
