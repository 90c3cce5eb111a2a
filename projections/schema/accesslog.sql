-- The access ledger, by customer: one row per customer per recorded read
-- of their personal data (CustomerDataAccessed), in the order recorded.
CREATE TABLE IF NOT EXISTS access_log (
    customer_id TEXT    NOT NULL,
    position    INTEGER NOT NULL, -- of the CustomerDataAccessed event
    seq         INTEGER NOT NULL, -- the access's place in the event
    at          INTEGER NOT NULL, -- Unix ns of the read
    subject     TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    fields      TEXT    NOT NULL, -- JSON array
    operation   TEXT    NOT NULL,
    masked      INTEGER NOT NULL,
    client_addr TEXT    NOT NULL,
    PRIMARY KEY (customer_id, at, position, seq)
) WITHOUT ROWID;
