-- One row per projection: the $all position of the last event it applied,
-- written in the same transaction as the read-model change it records, and
-- the version (digest) of the schema its tables were built with.
CREATE TABLE IF NOT EXISTS checkpoints (
    projection     TEXT    PRIMARY KEY,
    position       INTEGER NOT NULL,
    schema_version TEXT    NOT NULL
) WITHOUT ROWID;
