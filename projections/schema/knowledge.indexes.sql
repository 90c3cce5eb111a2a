-- The knowledge base's items are found through knowledge_fts.
-- The authors' list, newest change first.
CREATE INDEX IF NOT EXISTS knowledge_catalog_updated ON knowledge_catalog (updated_at, id);
