-- Identity index: which customer holds each identity (phone number, email
-- address, WeChat openid, device id, account id) now. Identities move to
-- the target customer on a merge and back when the merge is undone.
CREATE TABLE IF NOT EXISTS identities (
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL, -- normalised, see domain.NormalizeIdentity
    customer_id TEXT    NOT NULL,
    linked_at   INTEGER NOT NULL, -- Unix ns: when it was linked to this customer
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
