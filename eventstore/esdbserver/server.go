// Package esdbserver serves a ledger's event store over EventStoreDB's
// gRPC protocol, so that every EventStoreDB client, in any language, can
// read, follow and append to it, and so that several `ledger serve` nodes
// can share one ledger through the esdb store.
//
// It implements what the official clients use: Streams (read a stream or
// $all forwards and backwards, catch-up subscriptions with filters,
// append), ServerFeatures and Gossip (one node, always the leader). The
// ledger is immutable: Delete and Tombstone are refused as access denied.
// BatchAppend is not offered (ServerFeatures does not list it, so clients
// append one stream at a time).
//
// Events travel as package esdbwire maps them. An append whose events
// carry their own hash chain (the esdb store's appends, a migration) is
// imported with its recording times and hashes, checked against the
// stream's chain; other clients' events are appended and chained here.
package esdbserver

import (
	"log/slog"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"

	"github.com/interactionledger/ledger/eventstore"
)

// Version is the EventStoreDB server version the endpoint answers as: the
// protocol it speaks is that of the 24.10 line the client module targets.
const Version = "24.10.0"

// Config is how a Server is set up.
type Config struct {
	// Store is the ledger served. Appends of chained events need it to be
	// an eventstore.Importer.
	Store eventstore.Store
	// System keeps the system streams (names starting with "$"): the
	// coordination of nodes sharing the ledger. Nil refuses them.
	System *SystemStreams
	// Check authenticates basic credentials; nil serves anonymous clients
	// with every permission (EventStoreDB's insecure mode; the official
	// clients send no credentials without TLS).
	Check Checker
	// Advertise is the host and port gossip names for this node.
	AdvertiseHost string
	AdvertisePort uint32
	Log           *slog.Logger
}

// Server implements the protocol's services over a Store.
type Server struct {
	store  eventstore.Store
	system *SystemStreams
	check  Checker
	creds  credentialCache
	node   uuid.UUID
	host   string
	port   uint32
	log    *slog.Logger
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	return &Server{store: cfg.Store, system: cfg.System, check: cfg.Check, node: uuid.New(), host: cfg.AdvertiseHost, port: cfg.AdvertisePort, log: log}
}

// The protocol's services, each a view of the Server (their methods'
// names clash: Streams and Gossip both have a Read).
type (
	streamsService struct {
		api.UnimplementedStreamsServer
		*Server
	}
	featuresService struct {
		serverfeatures.UnimplementedServerFeaturesServer
		*Server
	}
	gossipService struct {
		gossip.UnimplementedGossipServer
		*Server
	}
)

// Register adds the services to g. g must authenticate as NewGRPCServer's
// does; use NewGRPCServer unless you build the grpc.Server yourself.
func (s *Server) Register(g *grpc.Server) {
	api.RegisterStreamsServer(g, streamsService{Server: s})
	serverfeatures.RegisterServerFeaturesServer(g, featuresService{Server: s})
	gossip.RegisterGossipServer(g, gossipService{Server: s})
}

// NewGRPCServer returns a grpc.Server with s's services and
// authentication; extra options (TLS credentials, say) are added.
func (s *Server) NewGRPCServer(extra ...grpc.ServerOption) *grpc.Server {
	opts := append([]grpc.ServerOption{
		grpc.UnaryInterceptor(s.authorizeUnary),
		grpc.StreamInterceptor(s.authorizeStream),
		grpc.MaxRecvMsgSize(maxMessageBytes),
	}, extra...)
	g := grpc.NewServer(opts...)
	s.Register(g)
	return g
}

// maxMessageBytes bounds one gRPC message, as EventStoreDB's
// MaxAppendSize does (default 16 MiB here).
const maxMessageBytes = 16 << 20
