-- Tickets with their collaborators, linked interactions and internal notes.
CREATE TABLE IF NOT EXISTS tickets (
    id              TEXT    PRIMARY KEY,
    number          TEXT    NOT NULL,
    customer_id     TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    priority        TEXT    NOT NULL,
    priority_rank   INTEGER NOT NULL, -- 0 NORMAL, 1 URGENT, 2 CRITICAL: sorts by urgency
    business_domain TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    status          TEXT    NOT NULL, -- domain.TicketStatus
    is_open         INTEGER NOT NULL, -- 1 unless RESOLVED or CLOSED
    assignee_id     TEXT    NOT NULL DEFAULT '',
    queue           TEXT    NOT NULL DEFAULT '', -- set by TicketEscalated: e.g. the supervisors' queue
    opened_by       TEXT    NOT NULL,
    resolution      TEXT    NOT NULL DEFAULT '', -- '' unless resolved: a reopen clears it, with resolved_by and resolved_at
    resolved_by     TEXT    NOT NULL DEFAULT '',
    opened_at       INTEGER NOT NULL, -- Unix ns; 0 below means never
    updated_at      INTEGER NOT NULL, -- time of the ticket's latest event
    resolved_at     INTEGER NOT NULL DEFAULT 0,
    closed_at       INTEGER NOT NULL DEFAULT 0,
    note_count      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS ticket_collaborators (
    position   INTEGER PRIMARY KEY, -- of the event that added it: display order
    ticket_id  TEXT    NOT NULL,
    department TEXT    NOT NULL,
    agent_id   TEXT    NOT NULL,
    due_at     INTEGER NOT NULL,
    UNIQUE (ticket_id, department, agent_id, due_at)
);

CREATE TABLE IF NOT EXISTS ticket_interactions (
    ticket_id      TEXT    NOT NULL,
    interaction_id TEXT    NOT NULL,
    linked_at      INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, interaction_id)
) WITHOUT ROWID;

-- Internal notes: never shown to the customer.
CREATE TABLE IF NOT EXISTS ticket_notes (
    position  INTEGER PRIMARY KEY,
    ticket_id TEXT    NOT NULL,
    author_id TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    -- JSON array of domain.Attachment; '' when none.
    attachments TEXT  NOT NULL DEFAULT '',
    at        INTEGER NOT NULL
);

-- The SLA clocks of each ticket (stream sla-<ticket>), one row per metric:
-- the latest cycle. deadline and warning_at are set while RUNNING.
CREATE TABLE IF NOT EXISTS ticket_sla (
    ticket_id   TEXT    NOT NULL,
    metric      TEXT    NOT NULL, -- domain.SlaMetric
    cycle       INTEGER NOT NULL,
    policy      TEXT    NOT NULL,
    target_ns   INTEGER NOT NULL,
    state       TEXT    NOT NULL, -- RUNNING, PAUSED, FULFILLED
    deadline    INTEGER NOT NULL, -- Unix ns; 0 unless RUNNING
    warning_at  INTEGER NOT NULL, -- Unix ns; 0 when no warning is due
    consumed_ns INTEGER NOT NULL, -- business time used up to the last pause or the fulfilment
    warned      INTEGER NOT NULL,
    breached    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, metric)
) WITHOUT ROWID;

-- The response clocks of each interaction (stream sla-<interaction>, the
-- events naming an interactionId), as ticket_sla: the agent's inbox counts
-- down to them. They live here, beside the tickets' clocks, because this
-- projection folds every SLA event; interactions have no resolution clock.
CREATE TABLE IF NOT EXISTS interaction_sla (
    interaction_id TEXT    NOT NULL,
    metric         TEXT    NOT NULL, -- FIRST_RESPONSE or NEXT_RESPONSE
    cycle          INTEGER NOT NULL,
    policy         TEXT    NOT NULL,
    target_ns      INTEGER NOT NULL,
    state          TEXT    NOT NULL, -- RUNNING, PAUSED, FULFILLED
    deadline       INTEGER NOT NULL, -- Unix ns; 0 unless RUNNING
    warning_at     INTEGER NOT NULL, -- Unix ns; 0 when no warning is due
    consumed_ns    INTEGER NOT NULL,
    warned         INTEGER NOT NULL,
    breached       INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (interaction_id, metric)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS ticket_sla_running ON ticket_sla (deadline) WHERE state = 'RUNNING';
