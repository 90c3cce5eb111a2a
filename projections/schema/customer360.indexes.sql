CREATE INDEX IF NOT EXISTS customers_name ON customers (name_key, id);
CREATE INDEX IF NOT EXISTS customer_merges_target ON customer_merges (target_id);
CREATE INDEX IF NOT EXISTS timeline_customer ON timeline (customer_id, at, position);
