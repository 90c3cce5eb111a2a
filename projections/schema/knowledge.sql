-- The knowledge base. knowledge_versions keeps every version an author
-- saved (a publication names only the version's number);
-- knowledge_items holds each searchable item's live version (published
-- and not retired), and knowledge_fts its words, written in simplified
-- Chinese and segmented (textseg.SearchTokens) and joined by spaces, for
-- FTS5 to rank with BM25 (English words stemmed by FTS5's porter
-- tokenizer, so "refunded" finds "refund"; Chinese words pass unchanged).
-- knowledge_catalog lists every item, drafts and retired ones too, for
-- the authors' list (knowledgeItems).
CREATE TABLE IF NOT EXISTS knowledge_versions (
    id        TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    content   TEXT    NOT NULL, -- JSON domain.KnowledgeContent
    published INTEGER NOT NULL DEFAULT 0, -- 1 once it was ever published
    PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS knowledge_catalog (
    id             TEXT    NOT NULL PRIMARY KEY,
    kind           TEXT    NOT NULL,
    status         TEXT    NOT NULL, -- domain.KnowledgeStatus
    live_version   INTEGER NOT NULL, -- 0: none
    latest_version INTEGER NOT NULL,
    title          TEXT    NOT NULL, -- the latest version's
    language       TEXT    NOT NULL, -- the latest version's
    category       TEXT    NOT NULL, -- the latest version's
    updated_at     INTEGER NOT NULL, -- Unix ns of the last change
    retired        INTEGER NOT NULL  -- 0 or 1
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS knowledge_items (
    doc             INTEGER PRIMARY KEY, -- the rowid of the item's words in knowledge_fts
    id              TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    version         INTEGER NOT NULL, -- the live one
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    business_domain TEXT    NOT NULL,
    tags            TEXT    NOT NULL, -- JSON array
    channels        TEXT    NOT NULL, -- JSON array; [] = every channel
    published_at    INTEGER NOT NULL  -- Unix ns
);
CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5(title, body, tags, tokenize = 'porter unicode61 remove_diacritics 2');
