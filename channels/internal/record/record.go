// Package record appends the events the channels own beyond the command
// layer's flows — delivery attempts and channel subscriptions: it folds a
// stream, lets the domain decide, and appends with the expected version,
// deciding again on fresh state after a version conflict. It is the same
// discipline as package commands, for aggregates that have no flow there.
package record

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// Aggregate says how to fold and decide one kind of channel-owned stream.
type Aggregate[S, C any] struct {
	Initial func(stream string) S
	Evolve  func(S, domain.Event) S
	Decide  func(S, C, time.Time) ([]domain.Event, error)
}

// Request names the stream a command goes to and what its events carry.
type Request struct {
	Stream string
	Meta   eventstore.Metadata
	// Key makes the event ids deterministic (with the stream and the
	// event's index), so a repeated request cannot write twice.
	Key string
}

// maxAttempts bounds how often a command is decided again after a version
// conflict. Writers racing on one stream land one per group commit, so
// the bound is generous and each retry waits a jittered, growing pause
// that spreads the racers over several commits.
const maxAttempts = 32

const readPage = 512

// idNamespace seeds the deterministic event ids of channel-owned events.
var idNamespace = uuid.MustParse("2d3c1b6e-3f0e-4a57-9d52-8f1f4c7b9a10")

// Load folds stream and returns its state and version (-1: no stream).
func Load[S, C any](ctx context.Context, store eventstore.Store, agg Aggregate[S, C], stream string) (S, int64, error) {
	state, version := agg.Initial(stream), int64(-1)
	for {
		page, err := store.ReadStream(ctx, stream, version+1, readPage)
		if err != nil {
			return state, version, fmt.Errorf("load %s: %w", stream, err)
		}
		for _, rec := range page {
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return state, version, fmt.Errorf("load %s at version %d: %w", stream, rec.Version, err)
			}
			state, version = agg.Evolve(state, e), rec.Version
		}
		if len(page) < readPage {
			return state, version, nil
		}
	}
}

// Execute decides cmd on the stream's current state and appends the
// events, retrying on version conflicts. It returns the state after the
// command and the events written (none for a no-op).
func Execute[S, C any](ctx context.Context, store eventstore.Store, agg Aggregate[S, C], req Request, cmd C, now time.Time) (S, []domain.Event, error) {
	pause := backoff.NewExponentialBackOff()
	pause.InitialInterval, pause.MaxInterval = time.Millisecond, 50*time.Millisecond
	for attempt := 1; ; attempt++ {
		state, version, err := Load(ctx, store, agg, req.Stream)
		if err != nil {
			return state, nil, err
		}
		events, err := agg.Decide(state, cmd, now)
		if err != nil || len(events) == 0 {
			return state, nil, wrap(req.Stream, err)
		}
		data, err := encode(req, events)
		if err != nil {
			return state, nil, err
		}
		expected := eventstore.NoStream
		if version >= 0 {
			expected = eventstore.Exact(version)
		}
		_, err = store.Append(ctx, req.Stream, expected, data)
		if err == nil {
			for _, e := range events {
				state = agg.Evolve(state, e)
			}
			return state, events, nil
		}
		if !eventstore.IsVersionConflict(err) || attempt >= maxAttempts {
			return state, nil, fmt.Errorf("append %s: %w", req.Stream, err)
		}
		if err := sleep(ctx, pause.NextBackOff()); err != nil {
			return state, nil, fmt.Errorf("append %s: %w", req.Stream, err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func wrap(stream string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("decide on %s: %w", stream, err)
}

func encode(req Request, events []domain.Event) ([]eventstore.EventData, error) {
	md, err := json.Marshal(req.Meta)
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	out := make([]eventstore.EventData, len(events))
	for i, e := range events {
		typ, schema, data, err := domain.EncodeEvent(e)
		if err != nil {
			return nil, err
		}
		out[i] = eventstore.EventData{ID: eventID(req, i), Type: typ, Schema: schema, Data: data, Metadata: md}
	}
	return out, nil
}

// eventID is derived from the request's key, or time-ordered without one.
func eventID(req Request, n int) uuid.UUID {
	if req.Key == "" {
		if id, err := uuid.NewV7(); err == nil {
			return id
		}
		return uuid.New()
	}
	return uuid.NewSHA1(idNamespace, fmt.Appendf(nil, "%s|%s|%d", req.Key, req.Stream, n))
}
