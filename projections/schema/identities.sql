-- Identity index: which customer holds each identity (phone number, email
-- address, WeChat openid, device id, account id) now. Identities move to
-- the target customer on a merge and back when the merge is undone, those
-- the target still holds then: one unlinked or linked elsewhere meanwhile
-- stays unheld or with its new holder.
CREATE TABLE IF NOT EXISTS identities (
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL, -- normalised, see domain.NormalizeIdentity
    customer_id TEXT    NOT NULL,
    linked_at   INTEGER NOT NULL, -- Unix ns: when it was linked to this customer
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
