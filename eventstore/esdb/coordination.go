package esdb

import (
	"context"
	"fmt"
	"log/slog"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/coordination"
)

// Last implements coordination.Streams: the newest event of a stream,
// read as written (the nodes' coordination streams are not chained).
func (s *Store) Last(ctx context.Context, stream string) (eventstore.RecordedEvent, bool, error) {
	leave, err := s.enter()
	if err != nil {
		return eventstore.RecordedEvent{}, false, err
	}
	defer leave()
	rs, err := s.client.ReadStream(ctx, stream, client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 1)
	if err != nil {
		return eventstore.RecordedEvent{}, false, fmt.Errorf("read %s: %w", stream, err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if esdbCode(err) == client.ErrorCodeResourceNotFound {
		return eventstore.RecordedEvent{}, false, nil
	}
	if err != nil {
		return eventstore.RecordedEvent{}, false, fmt.Errorf("read %s: %w", stream, err)
	}
	e := ev.Event
	return eventstore.RecordedEvent{ID: e.EventID, Stream: e.StreamID, Version: int64(e.EventNumber), Type: e.EventType,
		Data: e.Data, Metadata: e.UserMetadata, RecordedAt: e.CreatedDate}, true, nil
}

// Put implements coordination.Streams. The first write to a stream in
// this process also sets its $maxCount, so that EventStoreDB scavenges
// its old records (best effort: a stream without it only grows).
func (s *Store) Put(ctx context.Context, stream string, expected eventstore.ExpectedVersion, typ string, data []byte) (int64, error) {
	leave, err := s.enter()
	if err != nil {
		return 0, err
	}
	defer leave()
	s.keepNewest(ctx, stream)
	var rev client.ExpectedRevision = client.Any{}
	switch {
	case expected == eventstore.NoStream:
		rev = client.NoStream{}
	case expected >= 0:
		rev = client.Revision(uint64(expected))
	}
	w, err := s.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: rev},
		client.EventData{EventID: uuid.New(), EventType: typ, ContentType: client.ContentTypeJson, Data: data})
	if esdbCode(err) == client.ErrorCodeWrongExpectedVersion {
		return 0, &eventstore.VersionConflictError{Stream: stream, Expected: expected, Actual: -2}
	}
	if err != nil {
		return 0, fmt.Errorf("append %s: %w", stream, err)
	}
	return int64(w.NextExpectedVersion), nil
}

func (s *Store) keepNewest(ctx context.Context, stream string) {
	if _, done := s.coordinated.LoadOrStore(stream, true); done {
		return
	}
	var meta client.StreamMetadata
	meta.SetMaxCount(coordination.Keep)
	if _, err := s.client.SetStreamMetadata(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: client.Any{}}, meta); err != nil {
		s.coordinated.Delete(stream)
		slog.Debug("esdb: $maxCount not set", "stream", stream, "err", err)
	}
}
