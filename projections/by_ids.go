package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/interactionledger/ledger/domain"
)

// MaxBatchIDs bounds how many ids one batched lookup takes, below SQLite's
// limit on bound parameters.
const MaxBatchIDs = 500

// CustomersByID returns the stored profile of each customer in ids that
// exists, keyed by id, read in one query whatever the number of ids: id,
// display name, tier, merged-into and creation time. Tags and identities
// are left nil (CustomerDetailsByID reads them, for the requests that ask
// for them), and so are the 360 aggregates computed across a merge group
// (MergedFrom, last contact, channel statistics, CSAT; ask Customer). It
// is the batch behind the API's data loaders, so a list of tickets with
// their customers costs one query, not one per ticket.
func (db *ReadDB) CustomersByID(ctx context.Context, ids []string) (map[string]Customer, error) {
	if len(ids) > MaxBatchIDs {
		return nil, domain.Errorf(domain.EINVALID, "at most %d customers at once, got %d", MaxBatchIDs, len(ids))
	}
	out := make(map[string]Customer, len(ids))
	var missed []string
	for _, id := range ids {
		if c, ok := getView(db.views, &db.views.customers, id); ok {
			out[id] = c
		} else {
			missed = append(missed, id)
		}
	}
	if len(missed) == 0 {
		return out, nil
	}
	epoch := db.viewEpoch(ctx)
	read, err := customersBatch(ctx, db, missed, "customers by id", func(q querier, list string, out map[string]Customer) error {
		return scanCustomerRows(ctx, q, list, out)
	})
	if err != nil {
		return nil, err
	}
	for id, c := range read {
		putView(db.views, &db.views.customers, id, c, epoch, customerViewDeps(id))
		out[id] = c
	}
	return out, nil
}

// CustomerDetailsByID returns the tags and identities of each customer in
// ids, keyed by id, in two queries whatever the number of ids: every id
// asked has an entry, with only ID, Tags and Identities set (nil when it
// has none, or does not exist).
func (db *ReadDB) CustomerDetailsByID(ctx context.Context, ids []string) (map[string]Customer, error) {
	return customersBatch(ctx, db, ids, "customer details by id", func(q querier, list string, out map[string]Customer) error {
		for _, id := range ids {
			out[id] = Customer{ID: id}
		}
		if err := scanCustomerTags(ctx, q, list, out); err != nil {
			return err
		}
		return scanCustomerIdentities(ctx, q, list, out)
	})
}

// customersBatch runs read for a batch of customer ids in one read
// transaction.
func customersBatch(ctx context.Context, db *ReadDB, ids []string, what string, read func(q querier, list string, out map[string]Customer) error) (map[string]Customer, error) {
	out := make(map[string]Customer, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > MaxBatchIDs {
		return nil, domain.Errorf(domain.EINVALID, "at most %d customers at once, got %d", MaxBatchIDs, len(ids))
	}
	list, err := idList(ids)
	if err != nil {
		return nil, err
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error { return read(db.cached(tx), list, out) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// idList passes a list of ids as one JSON array parameter, read with
// json_each: the query text is then the same for any number of ids, so
// its prepared statement is reused.
func idList(ids []string) (string, error) {
	b, err := json.Marshal(ids)
	if err != nil {
		return "", fmt.Errorf("ids: %w", err)
	}
	return string(b), nil
}

const inIDList = `IN (SELECT value FROM json_each(?))`

func scanCustomerRows(ctx context.Context, q querier, ids string, out map[string]Customer) error {
	rows, err := q.QueryContext(ctx, `SELECT id, display_name, tier, merged_into, created_at FROM customers WHERE id `+inIDList, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c Customer
		var created int64
		if err := rows.Scan(&c.ID, &c.DisplayName, &c.Tier, &c.MergedInto, &created); err != nil {
			return err
		}
		c.CreatedAt = fromNanos(created)
		out[c.ID] = c
	}
	return rows.Err()
}

func scanCustomerTags(ctx context.Context, q querier, ids string, out map[string]Customer) error {
	rows, err := q.QueryContext(ctx, `SELECT customer_id, tag FROM customer_tags WHERE customer_id `+inIDList+` ORDER BY customer_id, tag`, ids)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		if c, ok := out[id]; ok {
			c.Tags = append(c.Tags, tag)
			out[id] = c
		}
	}
	return rows.Err()
}

func scanCustomerIdentities(ctx context.Context, q querier, ids string, out map[string]Customer) error {
	rows, err := q.QueryContext(ctx, `SELECT customer_id, kind, value FROM identities WHERE customer_id `+inIDList+` ORDER BY customer_id, kind, value`, ids)
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ident domain.Identity
		if err := rows.Scan(&id, &ident.Kind, &ident.Value); err != nil {
			return fmt.Errorf("identities: %w", err)
		}
		if c, ok := out[id]; ok {
			c.Identities = append(c.Identities, ident)
			out[id] = c
		}
	}
	return rows.Err()
}

// InteractionsByID returns each interaction in ids that exists, keyed by
// id, in one query.
func (db *ReadDB) InteractionsByID(ctx context.Context, ids []string) (map[string]Interaction, error) {
	out := make(map[string]Interaction, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > MaxBatchIDs {
		return nil, domain.Errorf(domain.EINVALID, "at most %d interactions at once, got %d", MaxBatchIDs, len(ids))
	}
	idJSON, err := idList(ids)
	if err != nil {
		return nil, err
	}
	r, err := db.reader(ctx)
	if err != nil {
		return nil, fmt.Errorf("interactions by id: %w", err)
	}
	list, err := scanInteractions(ctx, r, `SELECT `+interactionColumns+` FROM interactions i WHERE i.id `+inIDList, idJSON)
	if err != nil {
		return nil, fmt.Errorf("interactions by id: %w", err)
	}
	for _, i := range list {
		out[i.ID] = i
	}
	return out, nil
}
