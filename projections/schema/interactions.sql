-- Interactions (one conversation on one channel) and their messages. The
-- customer 360 reads its timeline entries for interaction events (started,
-- call answered and ended, closed or abandoned, rated) from these rows:
-- each happens at most once per interaction, so a row holds them all, with
-- the $all position of each (0 until it happens) for the timeline's order.
--
-- Rows are clustered by seq, not by id: ids are random (derived from
-- channel keys), and an interaction's row changes throughout its life, so
-- a table keyed by id has every batch rewrite pages all over it (in a
-- rebuild most of the table, at every commit). Interactions in progress
-- started recently: keyed by seq, their rows share the table's last pages.
CREATE TABLE IF NOT EXISTS interactions (
    seq            INTEGER PRIMARY KEY,         -- $all position of InteractionStarted: orders interactions by start
    id             TEXT    NOT NULL UNIQUE,
    customer_id    TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    identity_kind  TEXT    NOT NULL,
    identity_value TEXT    NOT NULL,
    identity_check TEXT    NOT NULL DEFAULT '', -- domain.IdentityCheck: how far the channel vouched for the identity
    subject        TEXT    NOT NULL,
    status         TEXT    NOT NULL,            -- domain.InteractionStatus
    queue          TEXT    NOT NULL DEFAULT '',
    priority       TEXT    NOT NULL DEFAULT 'NORMAL',
    agent_id       TEXT    NOT NULL DEFAULT '',
    started_at     INTEGER NOT NULL,            -- Unix ns; 0 below means never
    queued_at      INTEGER NOT NULL DEFAULT 0,
    assigned_at    INTEGER NOT NULL DEFAULT 0,
    answered_at    INTEGER NOT NULL DEFAULT 0,
    answered_pos   INTEGER NOT NULL DEFAULT 0,
    answered_by    TEXT    NOT NULL DEFAULT '',
    call_ended_at  INTEGER NOT NULL DEFAULT 0,
    call_ended_pos INTEGER NOT NULL DEFAULT 0,
    ended_by       TEXT    NOT NULL DEFAULT '',
    talk_seconds   REAL    NOT NULL DEFAULT 0,
    closed_at      INTEGER NOT NULL DEFAULT 0,
    closed_pos     INTEGER NOT NULL DEFAULT 0,
    disposition    TEXT    NOT NULL DEFAULT '',
    summary        TEXT    NOT NULL DEFAULT '', -- the agent's closing summary, or why it was abandoned
    csat           INTEGER NOT NULL DEFAULT 0,
    csat_comment   TEXT    NOT NULL DEFAULT '',
    csat_at        INTEGER NOT NULL DEFAULT 0,
    csat_pos       INTEGER NOT NULL DEFAULT 0,
    wrap_up_expired_at INTEGER NOT NULL DEFAULT 0 -- the call's after-call work timed out (WrapUpExpired)
);

-- Messages, clustered by interaction (interactions.seq) in $all order: an
-- interaction's messages are one range of the table, found without a
-- secondary index, and since seq grows with time, a batch's messages land
-- in the recent end of the tree. The message count of an interaction is
-- counted from here rather than kept in a column, so a message costs one
-- INSERT.
CREATE TABLE IF NOT EXISTS messages (
    interaction_seq INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    message_id     TEXT    NOT NULL,
    direction      TEXT    NOT NULL, -- IN (from the customer) or OUT (from an agent)
    agent_id       TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    attachments    TEXT    NOT NULL, -- JSON array of domain.Attachment, '' when none
    sent_at        INTEGER NOT NULL, -- Unix ns, as the customer's device said; 0 if unknown
    at             INTEGER NOT NULL,
    PRIMARY KEY (interaction_seq, position)
) WITHOUT ROWID;
