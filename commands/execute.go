package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/tracing"
)

// execute loads the aggregate, decides cmds in order (each on the state the
// previous ones produced), and appends all resulting events at once with
// the expected version. On a version conflict it decides again on fresh
// state, after a short pause and up to the handler's attempt limit
// (retryConflicts): decisions are pure, so deciding again is always safe
// and yields the right answer for the new state (for example "already
// assigned" instead of a second assignment).
func execute[S, C any](ctx context.Context, h *Handler, agg aggregate[S, C], id string, meta Meta, cmds ...C) (Result, S, error) {
	return executePlan(ctx, h, agg, id, meta, commandName(cmds[0]), func(loaded[S]) []C { return cmds })
}

// executePlan is execute for flows whose commands depend on the state
// found: plan is called on every attempt with the freshly loaded state and
// its version.
func executePlan[S, C any](ctx context.Context, h *Handler, agg aggregate[S, C], id string, meta Meta, name string, plan func(loaded[S]) []C) (Result, S, error) {
	start := time.Now()
	ctx, span := ctx, tracing.Off
	if tracing.Enabled() { // the span's name would cost an allocation
		ctx, span = tracing.Start(ctx, "command "+name)
		span.SetAttributes(tracing.Command.String(name), tracing.Stream.String(agg.stream(id)), tracing.CorrelationID.String(meta.CorrelationID))
	}
	defer span.End()
	res, state, err := executeWithRetry(ctx, h, agg, id, meta, name, plan)
	h.observe(ctx, name, agg.stream(id), start, res, err)
	tracing.Fail(span, err)
	return res, state, err
}

func executeWithRetry[S, C any](ctx context.Context, h *Handler, agg aggregate[S, C], id string, meta Meta, name string, plan func(loaded[S]) []C) (Result, S, error) {
	stream := agg.stream(id)
	ids := agg.eventIDs()
	var applied uuid.UUID
	if meta.IdempotencyKey != "" {
		applied = ids(meta.IdempotencyKey, stream, name, 0)
	}
	var (
		res   Result
		state S
	)
	err := h.retryConflicts(ctx, name, func() error {
		var err error
		res, state, err = executeOnce(ctx, h, agg, id, meta, name, plan, applied)
		return err
	})
	return res, state, storeError(err)
}

// executeOnce is one attempt of executeWithRetry: load, decide, append
// with the expected version. On a failed append it returns the state it
// decided on, not the one the events would have made.
func executeOnce[S, C any](ctx context.Context, h *Handler, agg aggregate[S, C], id string, meta Meta, name string, plan func(loaded[S]) []C, applied uuid.UUID) (Result, S, error) {
	stream := agg.stream(id)
	cur, err := load(ctx, h, agg, id, applied)
	if err != nil {
		return Result{Stream: stream}, cur.state, err
	}
	if cur.appliedAt != 0 {
		return answerApplied(agg, cur, stream, name, plan, h.now())
	}
	events, state, err := decideAll(agg, cur.state, plan(cur), h.now())
	if err != nil {
		return Result{Stream: stream, Version: cur.version}, cur.state, fmt.Errorf("%s on %s: %w", name, stream, err)
	}
	if len(events) == 0 {
		return Result{Stream: stream, Version: cur.version}, cur.state, nil
	}
	sealed, err := h.seal(ctx, agg.customerOf(state), events)
	if err != nil {
		return Result{Stream: stream, Version: cur.version}, cur.state, fmt.Errorf("%s on %s: %w", name, stream, err)
	}
	res, written, err := h.appendEvents(ctx, stream, cur.version, sealed, meta, name, agg.eventIDs())
	var idConflict *eventstore.EventIDConflictError
	if applied != uuid.Nil && errors.As(err, &idConflict) {
		// A concurrent copy of this request was appended first (its
		// events differ from ours at least by their time): answer as a
		// retry of it.
		again, lerr := load(ctx, h, agg, id, applied)
		if lerr == nil && again.appliedAt != 0 {
			return answerApplied(agg, again, stream, name, plan, h.now())
		}
	}
	if err != nil {
		return res, cur.state, err
	}
	remember(h, agg, cur, state, res, written.first, written.ids)
	h.observeEvents(events)
	return res, state, nil
}

// written is where an append put its events: the position of the first
// and the events' ids, in order.
type written struct {
	first uint64
	ids   []uuid.UUID
}

// answerApplied answers a request that was applied before (a retry) with
// what it wrote, instead of deciding again on a later state, unless the
// retry carries a message id the first request recorded with other content
// (a *domain.MessageIDConflictError): a reused id, refused instead of
// acknowledged. Deciding again only looks for that error: any other error
// of the later state is ignored, and the retry gets the first answer.
func answerApplied[S, C any](agg aggregate[S, C], cur loaded[S], stream, name string, plan func(loaded[S]) []C, now time.Time) (Result, S, error) {
	_, _, err := decideAll(agg, cur.state, plan(cur), now)
	var reused *domain.MessageIDConflictError
	if errors.As(err, &reused) {
		return Result{Stream: stream, Version: cur.version}, cur.state, fmt.Errorf("%s on %s: %w", name, stream, err)
	}
	return Result{Stream: stream, Position: cur.appliedAt, Version: cur.version}, cur.state, nil
}

// storeError gives the store's errors that callers act on a domain code:
// contention that outlasted the retries and a reused event id are
// conflicts (try again, or use another idempotency key), not internal
// failures. Other errors (nil included) pass unchanged.
func storeError(err error) error {
	var idConflict *eventstore.EventIDConflictError
	switch {
	case err == nil:
		return nil
	case eventstore.IsVersionConflict(err):
		return fmt.Errorf("%w: %w", domain.Errorf(domain.ECONFLICT, "too much contention on the stream; try again"), err)
	case errors.As(err, &idConflict):
		return fmt.Errorf("%w: %w", domain.Errorf(domain.ECONFLICT, "event id %s is already used by a different event; is an idempotency key reused?", idConflict.ID), err)
	default:
		return err
	}
}

// decideAll decides each command on the state left by the previous ones.
func decideAll[S, C any](agg aggregate[S, C], state S, cmds []C, now time.Time) ([]domain.Event, S, error) {
	var all []domain.Event
	for _, cmd := range cmds {
		events, err := agg.decide(state, cmd, now)
		if err != nil {
			return nil, state, err
		}
		for _, e := range events {
			state = agg.evolve(state, e)
		}
		all = append(all, events...)
	}
	return all, state, nil
}

// appendEvents encodes events with their metadata and appends them,
// expecting the stream to be at version (-1: it must not exist).
// The events' ids come from ids. A version conflict leaves the stream's
// aggregate cache entry be: it is the state at a version the store
// confirmed, and the winner of the race appended after it, so the retry
// reads just what the winner wrote. (Evicting it made every conflict on a
// long conversation reload the whole stream: under an agent's replies
// racing a customer's messages that was 40% of the server's CPU.) Any
// other failed append evicts it: a reused event id, or an outcome unknown.
func (h *Handler) appendEvents(ctx context.Context, stream string, version int64, events []domain.Event, meta Meta, command string, ids eventIDs) (res Result, w written, err error) {
	ctx, span := tracing.Start(ctx, "eventstore.append")
	defer func() {
		if span.IsRecording() {
			span.SetAttributes(tracing.Stream.String(stream), tracing.Position.Int64(int64(res.Position)), tracing.CorrelationID.String(meta.CorrelationID))
		}
		tracing.Fail(span, err)
		span.End()
	}()
	data, err := h.encode(stream, events, meta, command, ids, tracing.TraceParent(ctx))
	if err != nil {
		return Result{Stream: stream}, written{}, err
	}
	expected := eventstore.NoStream
	if version >= 0 {
		expected = eventstore.Exact(version)
	}
	ar, err := h.store.Append(ctx, stream, expected, data)
	if err != nil {
		var idConflict *eventstore.EventIDConflictError
		switch {
		case eventstore.IsVersionConflict(err):
		case errors.As(err, &idConflict):
			h.cache.evict(stream, "conflict")
		default:
			h.cache.evict(stream, "failed")
		}
		return Result{Stream: stream, Version: version}, written{}, fmt.Errorf("append %s: %w", stream, err)
	}
	w = written{first: ar.FirstPosition, ids: make([]uuid.UUID, len(data))}
	for i, d := range data {
		w.ids[i] = d.ID
	}
	return Result{Stream: stream, Position: ar.LastPosition, Version: ar.NextExpectedVersion, Events: events}, w, nil
}

// encode gives the events their ids and metadata; traceParent (empty
// while tracing is off) lets the followers continue the append's trace.
func (h *Handler) encode(stream string, events []domain.Event, meta Meta, command string, ids eventIDs, traceParent string) ([]eventstore.EventData, error) {
	md, err := json.Marshal(eventstore.Metadata{
		CorrelationID:   meta.CorrelationID,
		CausationID:     meta.CausationID,
		Actor:           meta.Actor,
		Channel:         string(meta.Channel),
		SourceMessageID: meta.SourceMessageID,
		Command:         command,
		TraceParent:     traceParent,
	})
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	out := make([]eventstore.EventData, len(events))
	for i, e := range events {
		typ, schema, data, err := domain.EncodeEvent(e)
		if err != nil {
			return nil, err
		}
		out[i] = eventstore.EventData{ID: ids(meta.IdempotencyKey, stream, command, i), Type: typ, Schema: schema, Data: data, Metadata: md}
	}
	return out, nil
}

// commandName is the command's type name, e.g. "AssignTicket".
func commandName(cmd any) string {
	t := reflect.TypeOf(cmd)
	if t == nil {
		return "unknown"
	}
	return t.Name()
}

// isCode reports whether err carries the domain error code.
func isCode(err error, code string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == code
}
