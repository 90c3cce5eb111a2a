package esdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdbwire"
)

// errWrongVersion is an append refused for its expected revision.
var errWrongVersion = errors.New("wrong expected version")

// Append implements eventstore.Store: validate, check the ids against the
// stream's tail, chain the events onto it and append them expecting
// exactly that tail.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	leave, err := s.enter()
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	defer leave()
	valid, err := eventstore.ValidateAppend(stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append: %w", err)
	}
	for {
		tail, err := s.tail(ctx, stream, IDWindow)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
		}
		if res, found, err := retried(stream, valid, tail); err != nil || found {
			return res, err
		}
		current, prevHash := int64(-1), ""
		if len(tail) > 0 {
			current, prevHash = tail[0].Version, tail[0].Hash
		}
		if expected != eventstore.Any && int64(expected) != current {
			return eventstore.AppendResult{}, &eventstore.VersionConflictError{Stream: stream, Expected: expected, Actual: current}
		}
		chained := chain(stream, current, prevHash, eventstore.CanonicalTime(s.clock()), valid)
		res, err := s.send(ctx, stream, chained)
		if errors.Is(err, errWrongVersion) {
			if expected == eventstore.Any {
				continue // another writer moved the tail: chain onto the new one
			}
			// Another writer moved the tail, or wrote these very events.
			tail, rerr := s.tail(ctx, stream, IDWindow)
			if rerr != nil {
				return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, rerr)
			}
			if res, found, err := retried(stream, valid, tail); err != nil || found {
				return res, err
			}
			actual := int64(-1)
			if len(tail) > 0 {
				actual = tail[0].Version
			}
			return eventstore.AppendResult{}, &eventstore.VersionConflictError{Stream: stream, Expected: expected, Actual: actual}
		}
		return res, err
	}
}

// chain gives events the versions after current and hashes each onto the
// one before, starting from prevHash.
func chain(stream string, current int64, prevHash string, at time.Time, events []eventstore.EventData) []eventstore.RecordedEvent {
	out := make([]eventstore.RecordedEvent, len(events))
	for i, e := range events {
		r := eventstore.RecordedEvent{ID: e.ID, Stream: stream, Version: current + 1 + int64(i), Type: e.Type, Schema: e.Schema,
			Data: e.Data, Metadata: e.Metadata, RecordedAt: at, PrevHash: prevHash}
		r.Hash = eventstore.ComputeHash(prevHash, r)
		out[i], prevHash = r, r.Hash
	}
	return out
}

// Import implements eventstore.Importer: each stream run is appended with
// the chain it carries, expecting the revision before its first event.
// An exact retry (the run's ids already there) is not written again.
func (s *Store) Import(ctx context.Context, events []eventstore.RecordedEvent) (eventstore.AppendResult, error) {
	var res eventstore.AppendResult
	leave, err := s.enter()
	if err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	defer leave()
	runs, err := eventstore.SplitRuns(events)
	if err != nil {
		return res, fmt.Errorf("import: %w", err)
	}
	for i, run := range runs {
		if err := validateRun(run); err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
		r, err := s.send(ctx, run.Stream, run.Events)
		if errors.Is(err, errWrongVersion) {
			r, err = s.importedBefore(ctx, run)
		}
		if err != nil {
			return res, fmt.Errorf("import: %w", err)
		}
		if i == 0 {
			res.FirstPosition = r.FirstPosition
		}
		res.LastPosition, res.NextExpectedVersion = r.LastPosition, r.NextExpectedVersion
	}
	return res, nil
}

func validateRun(run eventstore.StreamRun) error {
	proposed := make([]eventstore.EventData, len(run.Events))
	for i, e := range run.Events {
		if err := eventstore.ValidateChained(e); err != nil {
			return err
		}
		proposed[i] = e.Proposed()
	}
	_, err := eventstore.ValidateAppend(run.Stream, run.Expected, proposed)
	return err
}

// importedBefore answers an import run refused for its expected revision:
// the original result when the stream already holds the run's events, a
// version conflict otherwise.
func (s *Store) importedBefore(ctx context.Context, run eventstore.StreamRun) (eventstore.AppendResult, error) {
	first := run.Events[0].Version
	stored, err := s.ReadStream(ctx, run.Stream, first, len(run.Events))
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if len(stored) == len(run.Events) {
		same := true
		for i := range stored {
			same = same && stored[i].ID == run.Events[i].ID && stored[i].Hash == run.Events[i].Hash
		}
		if same {
			return eventstore.AppendResult{FirstPosition: stored[0].Position, LastPosition: stored[len(stored)-1].Position,
				NextExpectedVersion: stored[len(stored)-1].Version}, nil
		}
	}
	return eventstore.AppendResult{}, &eventstore.VersionConflictError{Stream: run.Stream, Expected: run.Expected, Actual: -2}
}

// send appends chained events, which continue the stream from the version
// before the first one.
func (s *Store) send(ctx context.Context, stream string, events []eventstore.RecordedEvent) (eventstore.AppendResult, error) {
	var expected client.ExpectedRevision = client.NoStream{}
	if v := events[0].Version; v > 0 {
		expected = client.Revision(uint64(v - 1))
	}
	proposed := make([]client.EventData, len(events))
	for i, e := range events {
		chain := esdbwire.Chain{Schema: e.Schema, RecordedAt: e.RecordedAt, PrevHash: e.PrevHash, Hash: e.Hash}
		proposed[i] = client.EventData{EventID: e.ID, EventType: e.Type, ContentType: client.ContentTypeJson,
			Data: e.Data, Metadata: esdbwire.Wrap(chain, e.Metadata)}
	}
	w, err := s.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: expected}, proposed...)
	if err != nil {
		return eventstore.AppendResult{}, appendError(stream, err)
	}
	first := w.PreparePosition
	if first == 0 || first > w.CommitPosition {
		first = w.CommitPosition
	}
	return eventstore.AppendResult{FirstPosition: first, LastPosition: w.CommitPosition, NextExpectedVersion: int64(w.NextExpectedVersion)}, nil
}

// appendError maps the client's errors onto the contract's.
func appendError(stream string, err error) error {
	switch esdbCode(err) {
	case client.ErrorCodeWrongExpectedVersion:
		return fmt.Errorf("append %s: %w", stream, errWrongVersion)
	case client.ErrorCodeResourceAlreadyExists:
		if ic := idConflict(err); ic != nil {
			return ic
		}
	}
	if st, ok := status.FromError(errors.Unwrap(err)); ok && st.Code() == codes.InvalidArgument {
		return fmt.Errorf("%w: %s", eventstore.ErrInvalidAppend, st.Message())
	}
	return fmt.Errorf("append %s: %w", stream, err)
}

// idConflict decodes the ledger endpoint's event id conflict.
func idConflict(err error) *eventstore.EventIDConflictError {
	st, ok := status.FromError(errors.Unwrap(err))
	if !ok {
		return nil
	}
	rest, ok := strings.CutPrefix(st.Message(), esdbwire.IDConflictPrefix)
	if !ok {
		return nil
	}
	idText, rest, _ := strings.Cut(rest, " ")
	stream, reason, _ := strings.Cut(rest, ": ")
	id, perr := uuid.Parse(idText)
	if perr != nil {
		return nil
	}
	return &eventstore.EventIDConflictError{ID: id, Stream: stream, Reason: reason}
}
