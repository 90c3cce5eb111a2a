-- Streams, numbered in the order they were created. Events are filed under
-- the number, not the name: stream names embed random ids, so an index
-- keyed by name takes every insert at a random place and a group commit
-- would rewrite one index page per stream it touches. Numbers handed out in
-- creation order keep the streams in progress next to each other.
CREATE TABLE streams (
    id   INTEGER PRIMARY KEY CHECK (id >= 1), -- creation order, from 1
    name TEXT    NOT NULL UNIQUE               -- equals events.stream of every event filed under id
);

-- The ledger: one row per event, in commit order. Rows are never updated or
-- deleted; the hash chain (prev_hash, hash) makes any change detectable by
-- `ledger verify`. stream is what the hash covers; stream_id is bookkeeping
-- for finding a stream's events, which `ledger verify` checks against it.
-- Read a stream by name through its number:
--   SELECT * FROM events
--   WHERE stream_id = (SELECT id FROM streams WHERE name = 'ticket-...')
--   ORDER BY version;
CREATE TABLE events (
    position    INTEGER PRIMARY KEY CHECK (position >= 1), -- global order, gap-free
    event_id    TEXT    NOT NULL UNIQUE,                   -- uuid, canonical lower-case form
    stream      TEXT    NOT NULL,                          -- stream name, as hashed (not indexed: see stream_id)
    version     INTEGER NOT NULL CHECK (version >= 0),     -- per stream, from 0
    type        TEXT    NOT NULL,
    schema      INTEGER NOT NULL,
    data        TEXT    NOT NULL,                          -- JSON
    metadata    TEXT    NOT NULL,                          -- JSON
    recorded_at TEXT    NOT NULL,                          -- UTC RFC3339Nano, exactly as hashed
    prev_hash   TEXT    NOT NULL,                          -- hex; '' for a stream's first event
    hash        TEXT    NOT NULL,                          -- hex SHA-256, see eventstore.ComputeHash
    stream_id   INTEGER NOT NULL REFERENCES streams (id),  -- the streams row named stream
    UNIQUE (stream_id, version)
);

-- The log is append-only, and so is the list of streams. These triggers
-- stop accidental changes; they are not the security boundary (anyone with
-- the file can drop them), the hash chain and `ledger verify` are.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable');
END;

CREATE TRIGGER streams_no_update BEFORE UPDATE ON streams
BEGIN
    SELECT RAISE(ABORT, 'streams are immutable');
END;

CREATE TRIGGER streams_no_delete BEFORE DELETE ON streams
BEGIN
    SELECT RAISE(ABORT, 'streams are immutable');
END;
