-- The ledger: one row per event, in commit order. Rows are never updated or
-- deleted; the hash chain (prev_hash, hash) makes any change detectable by
-- `ledger verify`.
CREATE TABLE events (
    position    INTEGER PRIMARY KEY CHECK (position >= 1), -- global order, gap-free
    event_id    TEXT    NOT NULL UNIQUE,                   -- uuid, canonical lower-case form
    stream      TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 0),     -- per stream, from 0
    type        TEXT    NOT NULL,
    schema      INTEGER NOT NULL,
    data        TEXT    NOT NULL,                          -- JSON
    metadata    TEXT    NOT NULL,                          -- JSON
    recorded_at TEXT    NOT NULL,                          -- UTC RFC3339Nano, exactly as hashed
    prev_hash   TEXT    NOT NULL,                          -- hex; '' for a stream's first event
    hash        TEXT    NOT NULL,                          -- hex SHA-256, see eventstore.ComputeHash
    UNIQUE (stream, version)
);

-- The log is append-only. These triggers stop accidental changes; they are
-- not the security boundary (anyone with the file can drop them), the hash
-- chain is.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;
