package esdbserver

import (
	"context"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/interactionledger/ledger/eventstore/esdbwire"
)

const streamsServiceName = "event_store.client.streams.streams"

// GetSupportedMethods implements ServerFeatures: the Streams methods the
// endpoint serves, and not BatchAppend, so clients use Append.
func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	methods := []*serverfeatures.SupportedMethod{
		{MethodName: "read", ServiceName: streamsServiceName},
		{MethodName: "append", ServiceName: streamsServiceName},
		{MethodName: "read", ServiceName: "event_store.client.gossip.gossip"},
		{MethodName: "getsupportedmethods", ServiceName: "event_store.client.server_features.serverfeatures"},
	}
	return &serverfeatures.SupportedMethods{Methods: methods, EventStoreServerVersion: Version}, nil
}

// Read implements Gossip: one node, the leader, always alive.
func (s gossipService) Read(context.Context, *shared.Empty) (*gossip.ClusterInfo, error) {
	return &gossip.ClusterInfo{Members: []*gossip.MemberInfo{{
		InstanceId:   esdbwire.ToUUID(s.node, true),
		TimeStamp:    time.Now().UnixNano() / 100,
		State:        gossip.MemberInfo_Leader,
		IsAlive:      true,
		HttpEndPoint: &gossip.EndPoint{Address: s.host, Port: s.port},
	}}}, nil
}

// errImmutable is how Delete and Tombstone are refused: EventStoreDB's
// access-denied error, which every client maps to its own type.
func errImmutable(ctx context.Context, what string) error {
	_ = grpc.SetTrailer(ctx, metadata.Pairs("exception", "access-denied"))
	return status.Errorf(codes.PermissionDenied, "the ledger is immutable: streams are never %s", what)
}

// Delete implements Streams: refused.
func (streamsService) Delete(ctx context.Context, _ *api.DeleteReq) (*api.DeleteResp, error) {
	return nil, errImmutable(ctx, "deleted")
}

// Tombstone implements Streams: refused.
func (streamsService) Tombstone(ctx context.Context, _ *api.TombstoneReq) (*api.TombstoneResp, error) {
	return nil, errImmutable(ctx, "tombstoned")
}
