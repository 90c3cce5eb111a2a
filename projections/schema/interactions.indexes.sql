CREATE INDEX IF NOT EXISTS messages_interaction ON messages (interaction_id, position);
CREATE INDEX IF NOT EXISTS interactions_customer ON interactions (customer_id, started_at, id);
CREATE INDEX IF NOT EXISTS interactions_agent ON interactions (agent_id, status);
