-- One index per sort order, alone and behind the common equality filters,
-- so a filtered, sorted page is an index range scan that stops at the page
-- size instead of a sort of every matching ticket.
CREATE INDEX IF NOT EXISTS tickets_number ON tickets (number);
CREATE INDEX IF NOT EXISTS tickets_opened ON tickets (opened_at, id);
CREATE INDEX IF NOT EXISTS tickets_updated ON tickets (updated_at, id);
CREATE INDEX IF NOT EXISTS tickets_priority ON tickets (priority_rank, id);
CREATE INDEX IF NOT EXISTS tickets_open_opened ON tickets (is_open, opened_at, id);
CREATE INDEX IF NOT EXISTS tickets_open_updated ON tickets (is_open, updated_at, id);
CREATE INDEX IF NOT EXISTS tickets_open_priority ON tickets (is_open, priority_rank, id);
CREATE INDEX IF NOT EXISTS tickets_status ON tickets (status, opened_at, id);
CREATE INDEX IF NOT EXISTS tickets_assignee ON tickets (assignee_id, is_open, opened_at, id);
CREATE INDEX IF NOT EXISTS tickets_customer ON tickets (customer_id, is_open, opened_at, id);
CREATE INDEX IF NOT EXISTS ticket_notes_ticket ON ticket_notes (ticket_id, position);
CREATE INDEX IF NOT EXISTS ticket_interactions_interaction ON ticket_interactions (interaction_id);
-- The running response clocks in deadline order: the supervisor's SLA
-- alerts read them most urgent first, as ticket_sla_running does for
-- tickets' clocks.
CREATE INDEX IF NOT EXISTS interaction_sla_running ON interaction_sla (deadline) WHERE state = 'RUNNING';
