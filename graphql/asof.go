package graphql

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// CustomerAsOf returns the customer 360 (profile, timeline, open tickets,
// interactions) exactly as it stood at a moment: the read models rebuilt
// in a scratch database from the ledger's events recorded up to then.
// Auditors and admins, unmasked, as auditTrail.
func (r *resolver) CustomerAsOf(ctx context.Context, args struct {
	ID gql.ID
	At gql.Time
}) (*customerResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAuditTrail); err != nil {
		return nil, err
	}
	view, err := r.asOf(ctx, args.At.Time)
	if err != nil {
		return nil, err
	}
	c, err := view.customerRecord(ctx, string(args.ID))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil // not a customer yet
	}
	if err != nil {
		return nil, err
	}
	return view.newCustomerRecord(c, auth.Full), nil
}

// TicketAsOf returns a ticket exactly as it stood at a moment (see
// CustomerAsOf).
func (r *resolver) TicketAsOf(ctx context.Context, args struct {
	ID gql.ID
	At gql.Time
}) (*ticketResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAuditTrail); err != nil {
		return nil, err
	}
	view, err := r.asOf(ctx, args.At.Time)
	if err != nil {
		return nil, err
	}
	t, err := view.db.Ticket(ctx, string(args.ID))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil // not opened yet
	}
	if err != nil {
		return nil, err
	}
	return view.newTicket(t, auth.Full, true, nil), nil
}

// asOf returns a resolver over the read models as of at.
func (r *resolver) asOf(ctx context.Context, at time.Time) (*resolver, error) {
	if at.After(r.now()) {
		return nil, apierror.BadInput("at %s is in the future", at.Format(time.RFC3339))
	}
	upto, err := positionAt(ctx, r.store, at)
	if err != nil {
		return nil, err
	}
	db, err := r.asOfViews.get(ctx, r.store, upto, r.log)
	if err != nil {
		return nil, err
	}
	view := *r
	view.db, view.historical = db, true
	return &view, nil
}

// positionAt is the position of the last event recorded at or before at
// (0: none). Recording times grow with positions.
func positionAt(ctx context.Context, store eventstore.Store, at time.Time) (uint64, error) {
	upto, after := uint64(0), uint64(0)
	for {
		page, err := store.ReadAll(ctx, after, 4096)
		if err != nil {
			return 0, fmt.Errorf("as of %s: %w", at.Format(time.RFC3339), err)
		}
		for _, e := range page {
			if e.RecordedAt.After(at) {
				return upto, nil
			}
			upto = e.Position
		}
		if len(page) == 0 {
			return upto, nil
		}
		after = page[len(page)-1].Position
	}
}

// asOfViews keeps the read models rebuilt for recent as-of positions: an
// auditor compares a few moments, often more than once.
type asOfViews struct {
	mu    sync.Mutex
	views map[uint64]*asOfView
	order []uint64 // least recently used first
}

// asOfKeep is how many rebuilt views are kept.
const asOfKeep = 4

type asOfView struct {
	once sync.Once
	db   *projections.ReadDB
	dir  string
	err  error
}

func newAsOfViews() *asOfViews { return &asOfViews{views: map[uint64]*asOfView{}} }

// get returns the read models as of position upto, rebuilding them the
// first time.
func (c *asOfViews) get(ctx context.Context, store eventstore.Store, upto uint64, log *slog.Logger) (*projections.ReadDB, error) {
	c.mu.Lock()
	v, ok := c.views[upto]
	if !ok {
		v = &asOfView{}
		c.views[upto] = v
	}
	c.touch(upto)
	c.mu.Unlock()
	v.once.Do(func() { v.db, v.dir, v.err = rebuildAsOf(ctx, store, upto, log) })
	if v.err != nil {
		c.mu.Lock()
		delete(c.views, upto)
		c.mu.Unlock()
		return nil, v.err
	}
	return v.db, nil
}

// touch moves upto to the most recently used end, closing the views past
// asOfKeep. The caller holds mu.
func (c *asOfViews) touch(upto uint64) {
	for i, p := range c.order {
		if p == upto {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	c.order = append(c.order, upto)
	for len(c.order) > asOfKeep {
		old := c.views[c.order[0]]
		delete(c.views, c.order[0])
		c.order = c.order[1:]
		if old != nil {
			go old.close() // after the requests still reading it (they fail if any outlast a minute)
		}
	}
}

func (v *asOfView) close() {
	time.Sleep(time.Minute)
	v.once.Do(func() {})
	if v.db != nil {
		_ = v.db.Close()
	}
	if v.dir != "" {
		_ = os.RemoveAll(v.dir)
	}
}

// closeAll closes every view (at shutdown).
func (c *asOfViews) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, v := range c.views {
		v.once.Do(func() {})
		if v.db != nil {
			_ = v.db.Close()
		}
		if v.dir != "" {
			_ = os.RemoveAll(v.dir)
		}
		delete(c.views, p)
	}
	c.order = nil
}

// rebuildAsOf builds every read model in a scratch database from the
// ledger's events up to position upto.
func rebuildAsOf(ctx context.Context, store eventstore.Store, upto uint64, log *slog.Logger) (*projections.ReadDB, string, error) {
	dir, err := os.MkdirTemp("", "ledger-asof-")
	if err != nil {
		return nil, "", fmt.Errorf("as-of view: %w", err)
	}
	db, err := projections.OpenReadDB(ctx, filepath.Join(dir, "readmodels.db"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, "", fmt.Errorf("as-of view: %w", err)
	}
	runner := projections.NewRunner(storeUpTo{Store: store, upto: upto}, db, log.With("as_of_position", upto), projections.Standard()...)
	if err := runner.Rebuild(context.WithoutCancel(ctx), nil); err != nil {
		_ = db.Close()
		_ = os.RemoveAll(dir)
		return nil, "", fmt.Errorf("as-of view at position %d: %w", upto, err)
	}
	return db, dir, nil
}

// storeUpTo is the ledger as it stood at position upto.
type storeUpTo struct {
	eventstore.Store
	upto uint64
}

func (s storeUpTo) HeadPosition(ctx context.Context) (uint64, error) {
	head, err := s.Store.HeadPosition(ctx)
	return min(head, s.upto), err
}

func (s storeUpTo) ReadAll(ctx context.Context, after uint64, max int) ([]eventstore.RecordedEvent, error) {
	if after >= s.upto {
		return nil, nil
	}
	page, err := s.Store.ReadAll(ctx, after, max)
	for i, e := range page {
		if e.Position > s.upto {
			return page[:i], err
		}
	}
	return page, err
}
