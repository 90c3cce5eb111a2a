-- Interactions (one conversation on one channel) and their messages.
CREATE TABLE IF NOT EXISTS interactions (
    id             TEXT    PRIMARY KEY,
    customer_id    TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    identity_kind  TEXT    NOT NULL,
    identity_value TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    status         TEXT    NOT NULL,            -- domain.InteractionStatus
    queue          TEXT    NOT NULL DEFAULT '',
    priority       TEXT    NOT NULL DEFAULT 'NORMAL',
    agent_id       TEXT    NOT NULL DEFAULT '',
    started_at     INTEGER NOT NULL,            -- Unix ns; 0 below means never
    queued_at      INTEGER NOT NULL DEFAULT 0,
    assigned_at    INTEGER NOT NULL DEFAULT 0,
    answered_at    INTEGER NOT NULL DEFAULT 0,
    call_ended_at  INTEGER NOT NULL DEFAULT 0,
    closed_at      INTEGER NOT NULL DEFAULT 0,
    disposition    TEXT    NOT NULL DEFAULT '',
    summary        TEXT    NOT NULL DEFAULT '',
    csat           INTEGER NOT NULL DEFAULT 0,
    csat_comment   TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Messages in $all order; the message count of an interaction is counted
-- from here rather than kept in a column, so a message costs one INSERT.
CREATE TABLE IF NOT EXISTS messages (
    position       INTEGER PRIMARY KEY,
    interaction_id TEXT    NOT NULL,
    message_id     TEXT    NOT NULL,
    direction      TEXT    NOT NULL, -- IN (from the customer) or OUT (from an agent)
    agent_id       TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    attachments    TEXT    NOT NULL, -- JSON array of domain.Attachment, '' when none
    sent_at        INTEGER NOT NULL, -- Unix ns, as the customer's device said; 0 if unknown
    at             INTEGER NOT NULL
);
