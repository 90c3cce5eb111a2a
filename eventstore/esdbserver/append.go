package esdbserver

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdbwire"
)

// maxAppendBytes bounds the data and metadata of one append.
const maxAppendBytes = 16 << 20

// proposed is an append as received: where, and the events.
type proposed struct {
	stream   string
	expected *api.AppendReq_Options
	events   []eventstore.EventData
	chains   []esdbwire.Chain
	chained  int // how many events carry their own hash
}

// Append implements Streams: the options, then the proposed events, then
// one answer.
func (s streamsService) Append(in api.Streams_AppendServer) error {
	ctx := in.Context()
	p, err := receiveAppend(in)
	if err != nil {
		return err
	}
	res, err := s.appendProposed(ctx, p)
	var vc *eventstore.VersionConflictError
	var ic *eventstore.EventIDConflictError
	switch {
	case errors.As(err, &vc):
		return in.SendAndClose(wrongVersion(p.expected, vc.Actual))
	case errors.As(err, &ic):
		return status.Errorf(codes.AlreadyExists, "%s%s %s: %s", esdbwire.IDConflictPrefix, ic.ID, ic.Stream, ic.Reason)
	case errors.Is(err, eventstore.ErrInvalidAppend):
		return status.Error(codes.InvalidArgument, err.Error())
	case err != nil:
		if ctx.Err() != nil {
			return status.FromContextError(ctx.Err()).Err()
		}
		s.log.ErrorContext(ctx, "esdb endpoint: append failed", "stream", p.stream, "err", err)
		return status.Errorf(codes.Unavailable, "append %s: %v", p.stream, err)
	}
	return in.SendAndClose(&api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: uint64(res.NextExpectedVersion)},
		PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
			CommitPosition: res.LastPosition, PreparePosition: res.FirstPosition}},
	}}})
}

// receiveAppend reads the options and every proposed event.
func receiveAppend(in api.Streams_AppendServer) (*proposed, error) {
	first, err := in.Recv()
	if err != nil {
		return nil, err
	}
	opts := first.GetOptions()
	if opts == nil {
		return nil, status.Error(codes.InvalidArgument, "append: the first message must carry the options")
	}
	p := &proposed{stream: string(opts.GetStreamIdentifier().GetStreamName()), expected: opts}
	size := 0
	for {
		req, err := in.Recv()
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		msg := req.GetProposedMessage()
		if msg == nil {
			return nil, status.Error(codes.InvalidArgument, "append: options sent twice")
		}
		if size += len(msg.GetData()) + len(msg.GetCustomMetadata()); size > maxAppendBytes {
			return nil, status.Errorf(codes.ResourceExhausted, "append %s: more than %d bytes", p.stream, maxAppendBytes)
		}
		if err := p.add(msg); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "append %s: event %d: %v", p.stream, len(p.events), err)
		}
	}
}

// add decodes one proposed event.
func (p *proposed) add(msg *api.AppendReq_ProposedMessage) error {
	id, err := esdbwire.FromUUID(msg.GetId())
	if err != nil {
		return err
	}
	chain, meta, err := esdbwire.Unwrap(msg.GetCustomMetadata())
	if err != nil {
		return err
	}
	p.events = append(p.events, eventstore.EventData{
		ID: id, Type: msg.GetMetadata()[esdbwire.KeyType], Schema: chain.Schema, Data: msg.GetData(), Metadata: meta,
	})
	p.chains = append(p.chains, chain)
	if chain.Chained() {
		p.chained++
	}
	return nil
}

// appendProposed appends p, or imports it when its events carry their
// own chain.
func (s *Server) appendProposed(ctx context.Context, p *proposed) (eventstore.AppendResult, error) {
	if IsSystemStream(p.stream) {
		return s.appendSystem(ctx, p)
	}
	if p.chained == 0 {
		return s.appendPlain(ctx, p)
	}
	if p.chained != len(p.events) {
		return eventstore.AppendResult{}, fmt.Errorf("%w: stream %s: %d of %d events carry a hash chain; all or none must", eventstore.ErrInvalidAppend, p.stream, p.chained, len(p.events))
	}
	imp, ok := s.store.(eventstore.Importer)
	if !ok {
		return eventstore.AppendResult{}, status.Error(codes.Unimplemented, "this store cannot keep events chained elsewhere")
	}
	var first int64
	switch {
	case p.expected.GetNoStream() != nil:
		first = 0
	case p.expected.GetAny() == nil && p.expected.GetStreamExists() == nil:
		first = int64(p.expected.GetRevision()) + 1
	default:
		return eventstore.AppendResult{}, fmt.Errorf("%w: stream %s: chained events need an exact expected revision or no stream", eventstore.ErrInvalidAppend, p.stream)
	}
	events := make([]eventstore.RecordedEvent, len(p.events))
	for i, e := range p.events {
		c := p.chains[i]
		events[i] = eventstore.RecordedEvent{ID: e.ID, Stream: p.stream, Version: first + int64(i), Type: e.Type, Schema: e.Schema,
			Data: e.Data, Metadata: e.Metadata, RecordedAt: c.RecordedAt, PrevHash: c.PrevHash, Hash: c.Hash}
	}
	return imp.Import(ctx, events)
}

// appendPlain appends events the store chains. The ledger has no
// "stream exists" expectation: it is an exact append on the stream's
// current version, retried while other writers move it.
func (s *Server) appendPlain(ctx context.Context, p *proposed) (eventstore.AppendResult, error) {
	var expected eventstore.ExpectedVersion
	switch {
	case p.expected.GetAny() != nil:
		expected = eventstore.Any
	case p.expected.GetNoStream() != nil:
		expected = eventstore.NoStream
	case p.expected.GetStreamExists() != nil:
		return s.appendToExisting(ctx, s.store, p)
	default:
		expected = eventstore.Exact(int64(p.expected.GetRevision()))
	}
	return s.store.Append(ctx, p.stream, expected, p.events)
}

// appendSystem appends to a system stream, kept apart from the ledger.
func (s *Server) appendSystem(ctx context.Context, p *proposed) (eventstore.AppendResult, error) {
	if s.system == nil {
		return eventstore.AppendResult{}, status.Errorf(codes.PermissionDenied, "append %s: this endpoint keeps no system streams", p.stream)
	}
	switch {
	case p.expected.GetAny() != nil:
		return s.system.Append(ctx, p.stream, eventstore.Any, p.events)
	case p.expected.GetNoStream() != nil:
		return s.system.Append(ctx, p.stream, eventstore.NoStream, p.events)
	case p.expected.GetStreamExists() != nil:
		return s.appendToExisting(ctx, s.system, p)
	}
	return s.system.Append(ctx, p.stream, eventstore.Exact(int64(p.expected.GetRevision())), p.events)
}

// appender is where appendToExisting appends: the ledger or the system
// streams.
type appender interface {
	streamReader
	Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error)
}

func (s *Server) appendToExisting(ctx context.Context, to appender, p *proposed) (eventstore.AppendResult, error) {
	for {
		last, err := lastVersion(ctx, to, p.stream)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if last < 0 {
			return eventstore.AppendResult{}, &eventstore.VersionConflictError{Stream: p.stream, Actual: -1}
		}
		res, err := to.Append(ctx, p.stream, eventstore.Exact(last), p.events)
		if !eventstore.IsVersionConflict(err) {
			return res, err
		}
	}
}

// wrongVersion is the answer to an append whose expectation failed.
func wrongVersion(expected *api.AppendReq_Options, actual int64) *api.AppendResp {
	w := &api.AppendResp_WrongExpectedVersion{}
	if actual < 0 {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		w.CurrentRevisionOption_20_6_0 = &api.AppendResp_WrongExpectedVersion_NoStream_20_6_0{NoStream_20_6_0: &shared.Empty{}}
	} else {
		w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(actual)}
		w.CurrentRevisionOption_20_6_0 = &api.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: uint64(actual)}
	}
	switch {
	case expected.GetAny() != nil:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	case expected.GetNoStream() != nil:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case expected.GetStreamExists() != nil:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	default:
		w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: expected.GetRevision()}
	}
	return &api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}
