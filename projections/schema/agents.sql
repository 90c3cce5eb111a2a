-- Agents with their presence, and the open interactions each one has, from
-- which their load per channel is counted.
CREATE TABLE IF NOT EXISTS agents (
    id             TEXT    PRIMARY KEY,
    name           TEXT    NOT NULL,
    team           TEXT    NOT NULL,
    skills         TEXT    NOT NULL, -- JSON object: skill -> proficiency 1..10
    capacity       TEXT    NOT NULL, -- JSON object: channel -> concurrent interactions
    presence       TEXT    NOT NULL, -- domain.Presence
    presence_since INTEGER NOT NULL, -- Unix ns
    registered_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per open interaction (its channel is only in InteractionStarted),
-- with the agent handling it ('' while nobody is). Closing or abandoning
-- the interaction deletes the row. released: a call whose wrap-up expired
-- (WrapUpExpired), still the agent's open work but not in their load.
CREATE TABLE IF NOT EXISTS agent_work (
    interaction_id TEXT    PRIMARY KEY,
    channel        TEXT    NOT NULL,
    agent_id       TEXT    NOT NULL,
    released       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
