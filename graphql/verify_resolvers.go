package graphql

import (
	"context"
	"sync"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/graphql/auth"
)

// verifier runs eventstore.Verify for verifyLedger. A run reads the whole
// ledger, so callers asking while one is in flight share it instead of
// starting another; the run is bounded by the server's lifetime, not by
// the first caller's request.
type verifier struct {
	store eventstore.Store
	life  context.Context

	mu      sync.Mutex
	current *verifyRun
}

type verifyRun struct {
	done chan struct{}
	rep  eventstore.VerifyReport
	err  error
}

func (v *verifier) verify(ctx context.Context) (eventstore.VerifyReport, error) {
	v.mu.Lock()
	run := v.current
	if run == nil {
		run = &verifyRun{done: make(chan struct{})}
		v.current = run
		go v.run(run)
	}
	v.mu.Unlock()
	select {
	case <-run.done:
		return run.rep, run.err
	case <-ctx.Done():
		return eventstore.VerifyReport{}, ctx.Err()
	}
}

func (v *verifier) run(run *verifyRun) {
	run.rep, run.err = eventstore.Verify(v.life, v.store, nil)
	v.mu.Lock()
	v.current = nil
	v.mu.Unlock()
	close(run.done)
}

// VerifyLedger recomputes every hash chain.
func (r *resolver) VerifyLedger(ctx context.Context) (*verificationResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpVerifyLedger); err != nil {
		return nil, err
	}
	rep, err := r.verifier.verify(ctx)
	if err != nil {
		return nil, err
	}
	return &verificationResolver{rep: rep}, nil
}

// verificationResolver is a LedgerVerification.
type verificationResolver struct{ rep eventstore.VerifyReport }

func (v *verificationResolver) Ok() bool            { return v.rep.OK }
func (v *verificationResolver) CheckedEvents() Long { return Long(v.rep.CheckedEvents) }
func (v *verificationResolver) Streams() int32      { return int32(v.rep.Streams) }
func (v *verificationResolver) LastPosition() Long  { return Long(v.rep.LastPosition) }

func (v *verificationResolver) FirstBadEvent() *badEventResolver {
	if v.rep.FirstBad == nil {
		return nil
	}
	return &badEventResolver{b: v.rep.FirstBad}
}

// badEventResolver is a BadEvent.
type badEventResolver struct{ b *eventstore.BadEvent }

func (b *badEventResolver) Position() Long { return Long(b.b.Position) }
func (b *badEventResolver) Stream() string { return b.b.Stream }
func (b *badEventResolver) Version() Long  { return Long(b.b.Version) }
func (b *badEventResolver) ID() gql.ID     { return gql.ID(b.b.ID.String()) }
func (b *badEventResolver) Reason() string { return b.b.Reason }
