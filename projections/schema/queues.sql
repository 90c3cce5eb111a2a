-- Routing queues. queue_items holds every open interaction that was ever
-- queued: waiting = 1 while it waits in queue, 0 while an agent has it (it
-- keeps its priority for a later transfer back to a queue). Closing or
-- abandoning the interaction deletes the row.
CREATE TABLE IF NOT EXISTS queues (
    name          TEXT    PRIMARY KEY,
    first_seen_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS queue_items (
    interaction_id TEXT    PRIMARY KEY,
    queue          TEXT    NOT NULL,
    priority       TEXT    NOT NULL,
    priority_rank  INTEGER NOT NULL,
    queued_at      INTEGER NOT NULL, -- Unix ns: since when it waits in this queue
    waiting        INTEGER NOT NULL
) WITHOUT ROWID;
