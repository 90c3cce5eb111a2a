-- Customer 360: customers, their tags and merges, and the timeline entries
-- of ticket events. The profile's aggregates (last contact, preferred
-- channel, interaction count, last CSAT) and the timeline entries of
-- interactions and messages come at query time from the interactions read
-- model, across the customer and every customer merged into it: a merge
-- and its undoing change no stored row but customer_merges, and no fact is
-- written twice.
CREATE TABLE IF NOT EXISTS customers (
    id           TEXT    PRIMARY KEY,
    display_name TEXT    NOT NULL,
    name_key     TEXT    NOT NULL,            -- lower-cased display name, for prefix search
    tier         TEXT    NOT NULL,
    merged_into  TEXT    NOT NULL DEFAULT '', -- set while merged into another customer
    created_at   INTEGER NOT NULL             -- Unix ns
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS customer_tags (
    customer_id TEXT NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;

-- Merges in effect: source_id was absorbed by target_id. Undoing the merge
-- deletes the row.
CREATE TABLE IF NOT EXISTS customer_merges (
    source_id TEXT    PRIMARY KEY,
    target_id TEXT    NOT NULL,
    merged_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Which customer each ticket belongs to: ticket events after the opening
-- name only the ticket.
CREATE TABLE IF NOT EXISTS customer_tickets (
    ticket_id   TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL
) WITHOUT ROWID;

-- Timeline entries of ticket events, keyed by the event's $all position.
-- The timeline query merges them with the interactions read model's
-- interaction events and messages.
CREATE TABLE IF NOT EXISTS timeline (
    position       INTEGER PRIMARY KEY,
    customer_id    TEXT    NOT NULL,
    at             INTEGER NOT NULL, -- Unix ns, when it happened
    channel        TEXT    NOT NULL, -- '' for ticket events
    kind           TEXT    NOT NULL, -- see TimelineKind
    interaction_id TEXT    NOT NULL,
    ticket_id      TEXT    NOT NULL,
    summary        TEXT    NOT NULL  -- one line, at most SummaryRunes runes
);

-- Business facts a CRM or order system recorded about the customer
-- (domain.BusinessFactRecorded): the newest version of each, by its kind,
-- source and external id. attributes is a JSON object of personal values,
-- "[erased]" once the customer was erased; tier is a plan's service tier,
-- which routing adds to the customer's own.
CREATE TABLE IF NOT EXISTS customer_facts (
    customer_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL, -- ORDER, PLAN, DEVICE, CONTRACT
    source       TEXT    NOT NULL,
    external_id  TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    tier         TEXT    NOT NULL, -- '' unless a plan gives one
    attributes   TEXT    NOT NULL, -- JSON object, '{}' when none
    effective_at INTEGER NOT NULL, -- Unix ns, 0 when the source gave none
    recorded_at  INTEGER NOT NULL, -- Unix ns, when this version was recorded
    PRIMARY KEY (customer_id, kind, source, external_id)
) WITHOUT ROWID;
