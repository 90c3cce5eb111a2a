-- Customer 360. Aggregates (last contact, preferred channel, interaction
-- count) are computed at query time from customer_interactions and
-- timeline, across the customer and every customer merged into it, so a
-- merge and its undoing change no stored row but customer_merges.
CREATE TABLE IF NOT EXISTS customers (
    id           TEXT    PRIMARY KEY,
    display_name TEXT    NOT NULL,
    name_key     TEXT    NOT NULL,            -- lower-cased display name, for prefix search
    tier         TEXT    NOT NULL,
    merged_into  TEXT    NOT NULL DEFAULT '', -- set while merged into another customer
    created_at   INTEGER NOT NULL,            -- Unix ns
    last_csat    INTEGER NOT NULL DEFAULT 0,  -- 1..5, 0 when none
    last_csat_at INTEGER NOT NULL DEFAULT 0
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

-- Which customer each interaction and ticket belongs to: the timeline
-- needs it for events that name only the interaction or ticket.
CREATE TABLE IF NOT EXISTS customer_interactions (
    interaction_id TEXT    PRIMARY KEY,
    customer_id    TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    started_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS customer_tickets (
    ticket_id   TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL
) WITHOUT ROWID;

-- The cross-channel timeline: one row per notable event, keyed by the
-- event's $all position. Messages are not repeated here: the timeline query
-- merges in the messages table of the interactions read model.
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
