package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/interactionledger/ledger/domain"
)

// IdentityIndex is the projection that maps every identity to the customer
// holding it. It follows IdentityLinked and IdentityUnlinked, and
// CustomerAbsorbed and CustomerReleased, which move the source customer's
// identities to the merge target and back.
type IdentityIndex struct{ sqlSchema }

// NewIdentityIndex returns the identity index projection.
func NewIdentityIndex() *IdentityIndex { return &IdentityIndex{loadSchema("identities")} }

// Name implements Projection.
func (*IdentityIndex) Name() string { return "identities" }

const (
	sqlIdentityLink = `INSERT INTO identities (kind, value, customer_id, linked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, value) DO UPDATE SET customer_id = excluded.customer_id, linked_at = excluded.linked_at`
	// Unlinking removes the identity only from that customer: if it was
	// meanwhile linked to another customer (a corrected link), it stays.
	sqlIdentityUnlink = `DELETE FROM identities WHERE kind = ? AND value = ? AND customer_id = ?`
	// Moving on a merge or its undoing takes the identity from one
	// customer to another; it is (re)created if it is missing.
	sqlIdentityMove = `INSERT INTO identities (kind, value, customer_id, linked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, value) DO UPDATE SET customer_id = excluded.customer_id, linked_at = excluded.linked_at
		WHERE identities.customer_id = ?`
)

// Apply implements Projection.
func (*IdentityIndex) Apply(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.IdentityLinked:
		return tx.Exec(ctx, sqlIdentityLink, d.Identity.Kind, d.Identity.Value, d.CustomerID, eventTime(d.At, e))
	case domain.IdentityUnlinked:
		return tx.Exec(ctx, sqlIdentityUnlink, d.Identity.Kind, d.Identity.Value, d.CustomerID)
	case domain.CustomerAbsorbed:
		return moveIdentities(ctx, tx, d.Identities, d.SourceID, d.CustomerID, eventTime(d.At, e))
	case domain.CustomerReleased:
		return moveIdentities(ctx, tx, d.Identities, d.CustomerID, d.SourceID, eventTime(d.At, e))
	}
	return nil
}

func moveIdentities(ctx context.Context, tx *Tx, ids []domain.Identity, from, to string, at int64) error {
	for _, id := range ids {
		if err := tx.Exec(ctx, sqlIdentityMove, id.Kind, id.Value, to, at, from); err != nil {
			return err
		}
	}
	return nil
}

// CustomerByIdentity returns the id of the customer holding id now. The
// identity is normalised first (so "138 0013 8000" finds "+8613800138000");
// an identity that does not normalise is looked up as given.
func (db *ReadDB) CustomerByIdentity(ctx context.Context, id domain.Identity) (customerID string, found bool, err error) {
	if norm, nerr := domain.NormalizeIdentity(id, domain.DefaultCallingCode); nerr == nil {
		id = norm
	}
	err = db.r.QueryRowContext(ctx, `SELECT customer_id FROM identities WHERE kind = ? AND value = ?`, id.Kind, id.Value).Scan(&customerID)
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
