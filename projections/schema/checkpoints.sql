-- One row per projection: the $all position of the last event it applied,
-- written in the same transaction as the read-model change it records, and
-- the version (digest) of the schema its tables were built with.
CREATE TABLE IF NOT EXISTS checkpoints (
    projection     TEXT    PRIMARY KEY,
    position       INTEGER NOT NULL,
    schema_version TEXT    NOT NULL
) WITHOUT ROWID;

-- Facts about the read database itself. 'bulk_load' is present while a
-- rebuild writes with synchronous=OFF, until what it wrote is on disk; its
-- value (JSON) names the projections being rebuilt. If it is still there
-- when the database is opened, the rebuild was interrupted: the file is
-- checked for damage and those projections start over from the log.
CREATE TABLE IF NOT EXISTS read_db_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
