package projections

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// RoutingView answers the router from the read models: queues,
// interactions (channel, customer), customer 360 (tier) and agents.
type RoutingView struct{ db *ReadDB }

// NewRoutingView returns the routing view of db.
func NewRoutingView(db *ReadDB) RoutingView { return RoutingView{db: db} }

// Waiting lists the interactions waiting in queues, with their customer's
// routing tier (standard when the customer 360 does not know it yet).
func (v RoutingView) Waiting(ctx context.Context, now time.Time) ([]domain.WaitingItem, error) {
	queues, err := v.db.Queues(ctx, now)
	if err != nil {
		return nil, err
	}
	var items []domain.WaitingItem
	var customerIDs []string
	for _, q := range queues {
		for _, e := range q.Waiting {
			if e.Channel == "" {
				continue // the interactions read model has not caught up yet
			}
			items = append(items, domain.WaitingItem{
				InteractionID: e.InteractionID, Channel: e.Channel, Queue: q.Name,
				Priority: e.Priority, Tier: domain.TierStandard, QueuedAt: e.QueuedAt,
			})
			customerIDs = append(customerIDs, e.CustomerID)
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	tiers, err := v.tiers(ctx, customerIDs)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if tier := tiers[customerIDs[i]]; tier != "" {
			items[i].Tier = tier
		}
	}
	return items, nil
}

// tiers reads the tiers of the customers of ids (repeats allowed), in
// two queries however many: thousands of waiting chats are a busy hour.
// A customer's routing tier is the higher of their own and of the tiers
// their plans give (a CRM's VIP plan routes like a VIP customer).
func (v RoutingView) tiers(ctx context.Context, ids []string) (map[string]domain.Tier, error) {
	list, err := idList(slices.Compact(slices.Sorted(slices.Values(ids))))
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Tier, len(ids))
	err = v.db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := v.db.cached(tx).QueryContext(ctx, `SELECT id, tier FROM customers WHERE id `+inIDList, list)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var tier domain.Tier
			if err := rows.Scan(&id, &tier); err != nil {
				return err
			}
			out[id] = tier
		}
		if err := rows.Err(); err != nil {
			return err
		}
		plans, err := planTiers(ctx, v.db.cached(tx), list)
		for id, tier := range plans {
			out[id] = HigherTier(out[id], tier)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("customer tiers: %w", err)
	}
	return out, nil
}

// Agents lists every agent with presence, skills, capacity and load.
func (v RoutingView) Agents(ctx context.Context) ([]domain.RoutingAgent, error) {
	list, err := v.db.Agents(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.RoutingAgent, len(list))
	for i, a := range list {
		out[i] = domain.RoutingAgent{
			ID: a.ID, Skills: a.Skills, Capacity: a.Capacity, Load: a.Load,
			Presence: a.Presence, IdleSince: a.PresenceSince,
		}
	}
	return out, nil
}
