package follow

import (
	"context"
	"log/slog"
	"time"
)

// Lead runs work while this node holds the lease called name, taking it
// again whenever it is lost, until ctx ends. With a nil lease it simply
// runs work. It is for singletons that do not follow the ledger but must
// run on one node only (the router's rounds).
func Lead(ctx context.Context, lease Lease, name string, m *Metrics, log *slog.Logger, work func(ctx context.Context)) {
	if lease == nil {
		work(ctx)
		return
	}
	leader := m.of(name).leader
	for ctx.Err() == nil {
		held, release, err := lease.Acquire(ctx, name)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("lease not taken; trying again", "lease", name, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
			continue
		}
		leader.Set(1)
		work(held)
		leader.Set(0)
		release()
	}
}
