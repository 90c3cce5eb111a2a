CREATE INDEX IF NOT EXISTS queue_items_waiting ON queue_items (waiting, queue, priority_rank, queued_at);
