package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

// Import implements eventstore.Importer. Every stream run becomes one
// request, all queued at once and in order, so the writer commits the
// import in as few transactions as its batch bound allows and keeps the
// events' order in $all.
func (s *Store) Import(ctx context.Context, events []eventstore.RecordedEvent) (eventstore.AppendResult, error) {
	var res eventstore.AppendResult
	if s.closed.Load() {
		return res, fmt.Errorf("import: %w", eventstore.ErrClosed)
	}
	if !s.cfg.soleWriter {
		if err := s.lock.take(false); err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
	}
	runs, err := eventstore.SplitRuns(events)
	if err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	reqs := make([]*request, len(runs))
	for i, run := range runs {
		if reqs[i], err = chainedRequest(ctx, run); err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
	}
	for _, req := range reqs {
		if err := s.enqueue(ctx, req); err != nil {
			return res, fmt.Errorf("import %s: %w", req.stream, err)
		}
	}
	for i, req := range reqs {
		select {
		case resp := <-req.done:
			if resp.err != nil {
				return res, fmt.Errorf("import: %w", resp.err)
			}
			if i == 0 {
				res.FirstPosition = resp.res.FirstPosition
			}
			res.LastPosition, res.NextExpectedVersion = resp.res.LastPosition, resp.res.NextExpectedVersion
		case <-ctx.Done():
			return res, fmt.Errorf("import %s: outcome unknown, import again: %w", req.stream, ctx.Err())
		}
	}
	return res, nil
}

// chainedRequest validates a run as an append and as chained events and
// makes it a request that keeps their recording time and hashes.
func chainedRequest(ctx context.Context, run eventstore.StreamRun) (*request, error) {
	proposed := make([]eventstore.EventData, len(run.Events))
	for i, e := range run.Events {
		if err := eventstore.ValidateChained(e); err != nil {
			return nil, err
		}
		proposed[i] = e.Proposed()
	}
	valid, err := eventstore.ValidateAppend(run.Stream, run.Expected, proposed)
	if err != nil {
		return nil, err
	}
	req := newRequest(ctx, run.Stream, run.Expected, valid)
	for i, e := range run.Events {
		at := eventstore.CanonicalTime(e.RecordedAt)
		req.events[i].chained = &chainedEvent{at: at, atText: at.Format(time.RFC3339Nano), prevHash: e.PrevHash, hash: e.Hash}
	}
	return req, nil
}
