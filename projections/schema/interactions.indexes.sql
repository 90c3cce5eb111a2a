CREATE INDEX IF NOT EXISTS interactions_customer ON interactions (customer_id, started_at, id);
