package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// The customer 360's business context: the facts CRMs and order systems
// recorded (domain.BusinessFactRecorded), newest version of each.

const (
	// sqlFactUpsert keeps the newest version: an older one applied after
	// it (never by the command layer, but a log is a log) changes nothing.
	sqlFactUpsert = `INSERT INTO customer_facts (customer_id, kind, source, external_id, version, tier, attributes, effective_at, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (customer_id, kind, source, external_id) DO UPDATE SET
			version = excluded.version, tier = excluded.tier, attributes = excluded.attributes,
			effective_at = excluded.effective_at, recorded_at = excluded.recorded_at
		WHERE excluded.version > customer_facts.version`
	sqlEraseFactRows = `SELECT kind, source, external_id, customer_id, attributes FROM customer_facts
		WHERE customer_id IN (SELECT value FROM json_each(?1)) AND attributes != '{}'`
	sqlEraseFactRow = `UPDATE customer_facts SET attributes = ? WHERE customer_id = ? AND kind = ? AND source = ? AND external_id = ?`
)

// Limits of what the 360 shows of a customer's context.
const (
	// RecentOrders is how many orders the 360 shows, newest first.
	RecentOrders = 5
	// maxFactsShown bounds the plans, devices and contracts shown.
	maxFactsShown = 20
)

func (p *Customer360) applyFact(ctx context.Context, tx *Tx, d domain.BusinessFactRecorded, e Event) error {
	attrs, err := attributesJSON(d.Attributes)
	if err != nil {
		return err
	}
	return tx.Exec(ctx, sqlFactUpsert, d.CustomerID, d.Kind, d.Source, d.ExternalID, d.Version, d.Tier, attrs,
		nanos(d.EffectiveAt), eventTime(d.At, e))
}

func attributesJSON(attrs map[string]string) (string, error) {
	if len(attrs) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(attrs) // sorted keys: a rebuild writes the same bytes
	if err != nil {
		return "", fmt.Errorf("fact attributes: %w", err)
	}
	return string(b), nil
}

// eraseFacts erases the attribute values of the customers' facts, as a
// rebuild reads them once their keys are gone; kind, source, external id,
// version and tier are not personal and stay.
func eraseFacts(ctx context.Context, tx *Tx, list string) error {
	rows, err := tx.QueryContext(ctx, sqlEraseFactRows, list)
	if err != nil {
		return fmt.Errorf("erase facts: %w", err)
	}
	type change struct{ kind, source, id, customer, attrs string }
	var changes []change
	for rows.Next() {
		var c change
		var old string
		if err := rows.Scan(&c.kind, &c.source, &c.id, &c.customer, &old); err != nil {
			rows.Close()
			return fmt.Errorf("erase facts: %w", err)
		}
		var attrs map[string]string
		if err := json.Unmarshal([]byte(old), &attrs); err != nil {
			rows.Close()
			return fmt.Errorf("erase facts of %s: %w", c.customer, err)
		}
		changed := false
		for k, v := range attrs {
			if v != "" && !isErased(v) {
				attrs[k], changed = domain.ErasedText, true
			}
		}
		if !changed {
			continue
		}
		if c.attrs, err = attributesJSON(attrs); err != nil {
			rows.Close()
			return err
		}
		changes = append(changes, c)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("erase facts: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("erase facts: %w", err)
	}
	for _, c := range changes {
		if err := tx.Exec(ctx, sqlEraseFactRow, c.attrs, c.customer, c.kind, c.source, c.id); err != nil {
			return fmt.Errorf("erase facts: %w", err)
		}
	}
	return nil
}

// BusinessFact is the newest version of one fact about a customer.
type BusinessFact struct {
	CustomerID  string
	Kind        domain.FactKind
	Source      string
	ExternalID  string
	Version     int64
	Tier        domain.Tier // a plan's tier, "" if none
	Attributes  map[string]string
	EffectiveAt time.Time // zero when the source gave none
	RecordedAt  time.Time
}

// BusinessContext is what the 360 shows of a customer's business facts,
// across the customer and every customer merged into it: every plan,
// device and contract (up to a bound), and the most recent orders, each
// list newest first.
type BusinessContext struct {
	Plans     []BusinessFact
	Orders    []BusinessFact
	Devices   []BusinessFact
	Contracts []BusinessFact
}

// CustomerContext returns the business context of customer id.
func (db *ReadDB) CustomerContext(ctx context.Context, id string) (BusinessContext, error) {
	return db.customerContext(ctx, id, false)
}

// CustomerContextAll is CustomerContext with every fact of each kind (a
// subject-access export): no kind is cut to what the 360 shows.
func (db *ReadDB) CustomerContextAll(ctx context.Context, id string) (BusinessContext, error) {
	return db.customerContext(ctx, id, true)
}

func (db *ReadDB) customerContext(ctx context.Context, id string, all bool) (BusinessContext, error) {
	var out BusinessContext
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		group, err := customerGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, k := range []struct {
			kind  domain.FactKind
			limit int
			into  *[]BusinessFact
		}{
			{domain.FactPlan, maxFactsShown, &out.Plans},
			{domain.FactOrder, RecentOrders, &out.Orders},
			{domain.FactDevice, maxFactsShown, &out.Devices},
			{domain.FactContract, maxFactsShown, &out.Contracts},
		} {
			if all {
				k.limit = -1 // SQLite: no limit
			}
			if *k.into, err = queryFacts(ctx, tx, group, k.kind, k.limit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return BusinessContext{}, fmt.Errorf("business context of customer %s: %w", id, err)
	}
	return out, nil
}

// queryFacts reads the newest limit facts of a kind: by when they took
// effect, or were recorded when their source did not say.
func queryFacts(ctx context.Context, tx *sql.Tx, group []string, kind domain.FactKind, limit int) ([]BusinessFact, error) {
	args := append(anys(group), string(kind), limit)
	rows, err := tx.QueryContext(ctx, `SELECT customer_id, source, external_id, version, tier, attributes, effective_at, recorded_at
		FROM customer_facts WHERE customer_id IN (`+placeholders(len(group))+`) AND kind = ?
		ORDER BY CASE effective_at WHEN 0 THEN recorded_at ELSE effective_at END DESC, source, external_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("%s facts: %w", kind, err)
	}
	defer rows.Close()
	var out []BusinessFact
	for rows.Next() {
		f := BusinessFact{Kind: kind}
		var attrs string
		var effective, recorded int64
		if err := rows.Scan(&f.CustomerID, &f.Source, &f.ExternalID, &f.Version, &f.Tier, &attrs, &effective, &recorded); err != nil {
			return nil, fmt.Errorf("%s facts: %w", kind, err)
		}
		if err := json.Unmarshal([]byte(attrs), &f.Attributes); err != nil {
			return nil, fmt.Errorf("%s fact %s/%s: %w", kind, f.Source, f.ExternalID, err)
		}
		f.EffectiveAt, f.RecordedAt = fromNanos(effective), fromNanos(recorded)
		out = append(out, f)
	}
	return out, rows.Err()
}

// planTiers returns, for each customer of list (a JSON array) holding a
// plan with a tier, the highest such tier.
func planTiers(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, list string) (map[string]domain.Tier, error) {
	rows, err := q.QueryContext(ctx, `SELECT customer_id, tier FROM customer_facts
		WHERE customer_id `+inIDList+` AND kind = 'PLAN' AND tier != ''`, list)
	if err != nil {
		return nil, fmt.Errorf("plan tiers: %w", err)
	}
	defer rows.Close()
	out := map[string]domain.Tier{}
	for rows.Next() {
		var id string
		var tier domain.Tier
		if err := rows.Scan(&id, &tier); err != nil {
			return nil, fmt.Errorf("plan tiers: %w", err)
		}
		out[id] = HigherTier(out[id], tier)
	}
	return out, rows.Err()
}

// HigherTier returns the higher of two tiers ("" is below every tier).
func HigherTier(a, b domain.Tier) domain.Tier {
	if slices.Index(domain.Tiers, b) > slices.Index(domain.Tiers, a) {
		return b
	}
	return a
}
