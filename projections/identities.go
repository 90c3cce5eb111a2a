package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/interactionledger/ledger/domain"
)

// IdentityIndex is the projection that maps every identity to the customer
// holding it. It follows IdentityLinked and IdentityUnlinked, and
// CustomerAbsorbed and CustomerReleased, which move the source customer's
// identities to the merge target and back. CustomerErased releases the
// erased customers' identities; an identity whose value reads "[erased]"
// (an erased customer's, in a rebuild) is never indexed: it names nobody,
// and would be one key for every erased customer.
type IdentityIndex struct {
	sqlSchema
	rows *rowCache[identityOwner]
}

// identityOwner is a row of identities: who holds the identity, since when.
type identityOwner struct {
	customer string
	linkedAt int64
}

// identityCacheSize bounds the identities kept in memory between batches.
const identityCacheSize = rowCacheSize

var identityColumns = []string{"kind", "value", "customer_id", "linked_at"}

// NewIdentityIndex returns the identity index projection.
func NewIdentityIndex() *IdentityIndex {
	rows := newRowCache(identityCacheSize, newRowBuffer("identities", identityColumns, upsertTail(identityColumns, 2)),
		`DELETE FROM identities WHERE kind = ? AND value = ?`, loadIdentity, saveIdentity)
	rows.keyArgs = func(key string) []any {
		kind, value := splitIdentityKey(key)
		return []any{kind, value}
	}
	return &IdentityIndex{sqlSchema: loadSchema("identities"), rows: rows}
}

// identityKey is the cache key of an identity; it sorts like the table's
// primary key (kind, value).
func identityKey(id domain.Identity) string { return string(id.Kind) + "\x00" + id.Value }

func splitIdentityKey(key string) (kind, value string) {
	kind, value, _ = strings.Cut(key, "\x00")
	return kind, value
}

func loadIdentity(ctx context.Context, tx *Tx, key string) (identityOwner, bool, error) {
	kind, value := splitIdentityKey(key)
	var o identityOwner
	row, err := tx.QueryRow(ctx, `SELECT customer_id, linked_at FROM identities WHERE kind = ? AND value = ?`, kind, value)
	if err != nil {
		return o, false, err
	}
	switch err := row.Scan(&o.customer, &o.linkedAt); {
	case errors.Is(err, sql.ErrNoRows):
		return o, false, nil
	case err != nil:
		return o, false, fmt.Errorf("load identity %s: %w", kind, err)
	}
	return o, true, nil
}

func saveIdentity(b *rowBuffer, key string, o identityOwner) {
	kind, value := splitIdentityKey(key)
	b.add(kind, value, o.customer, o.linkedAt)
}

// Name implements Projection.
func (*IdentityIndex) Name() string { return "identities" }

// Reset implements Resetter.
func (p *IdentityIndex) Reset() { p.rows.reset() }

// Flush implements Flusher.
func (p *IdentityIndex) Flush(ctx context.Context, tx *Tx) error { return p.rows.flush(ctx, tx) }

// Apply implements Projection.
func (p *IdentityIndex) Apply(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.IdentityLinked:
		if isErased(d.Identity.Value) {
			return nil
		}
		p.rows.create(identityKey(d.Identity), identityOwner{customer: d.CustomerID, linkedAt: eventTime(d.At, e)})
	case domain.IdentityUnlinked:
		if isErased(d.Identity.Value) {
			return nil // never indexed
		}
		// Only from that customer: if the identity was meanwhile linked
		// to another customer (a corrected link), it stays there.
		key := identityKey(d.Identity)
		r, err := p.rows.get(ctx, tx, key)
		if err != nil {
			return err
		}
		if r.live && r.val.customer == d.CustomerID {
			p.rows.remove(key, r)
		}
	case domain.CustomerAbsorbed:
		return p.move(ctx, tx, d.Identities, d.SourceID, d.CustomerID, eventTime(d.At, e))
	case domain.CustomerReleased:
		return p.move(ctx, tx, d.Identities, d.CustomerID, d.SourceID, eventTime(d.At, e))
	case domain.CustomerErased:
		return p.erase(ctx, tx, d)
	}
	return nil
}

// move gives to the identities of ids that from still holds, on a merge
// or its undoing. The event lists what moved at the merge; since then an
// identity may have been unlinked (its reservation released) or linked to
// another customer, and then it stays where it is: unheld, or with its
// new holder.
func (p *IdentityIndex) move(ctx context.Context, tx *Tx, ids []domain.Identity, from, to string, at int64) error {
	for _, id := range ids {
		if isErased(id.Value) {
			continue // never indexed
		}
		key := identityKey(id)
		r, err := p.rows.get(ctx, tx, key)
		if err != nil {
			return err
		}
		if r.live && r.val.customer == from {
			p.rows.create(key, identityOwner{customer: to, linkedAt: at})
		}
	}
	return nil
}

// CustomerByIdentity returns the id of the customer holding id now. The
// identity is normalised first (so "138 0013 8000" finds "+8613800138000");
// an identity that does not normalise is looked up as given.
func (db *ReadDB) CustomerByIdentity(ctx context.Context, id domain.Identity) (customerID string, found bool, err error) {
	if norm, nerr := domain.NormalizeIdentity(id, db.callingCode); nerr == nil {
		id = norm
	}
	key := identityKeyT{string(id.Kind), id.Value}
	if customerID, ok := getView(db.views, &db.views.identities, key); ok {
		return customerID, true, nil
	}
	epoch := db.viewEpoch(ctx) // the read may be the request's snapshot's
	customerID, found, err = db.identityHolder(ctx, id)
	if found {
		putView(db.views, &db.views.identities, key, customerID, epoch, identityViewDeps(id, customerID))
	}
	return customerID, found, err
}

// identityHolder reads who holds the normalised identity id.
func (db *ReadDB) identityHolder(ctx context.Context, id domain.Identity) (customerID string, found bool, err error) {
	err = db.queryRow(ctx, `SELECT customer_id FROM identities WHERE kind = ? AND value = ?`, id.Kind, id.Value).Scan(&customerID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("customer by identity %s: %w", id.Kind, err)
	}
	return customerID, true, nil
}

// identitiesIn returns the identities held by any of customers, in a stable
// order.
func identitiesIn(ctx context.Context, q querier, customers []string) ([]domain.Identity, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, value FROM identities WHERE customer_id IN (`+placeholders(len(customers))+`)
		ORDER BY kind, value`, anys(customers)...)
	if err != nil {
		return nil, fmt.Errorf("identities: %w", err)
	}
	defer rows.Close()
	var ids []domain.Identity
	for rows.Next() {
		var id domain.Identity
		if err := rows.Scan(&id.Kind, &id.Value); err != nil {
			return nil, fmt.Errorf("identities: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
