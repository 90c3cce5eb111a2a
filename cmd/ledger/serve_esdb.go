package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"

	"github.com/interactionledger/ledger/internal/netaddr"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/interactionledger/ledger/eventstore/esdbserver"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/auth/accounts"
)

// esdbSystemFile keeps the endpoint's system streams in the data
// directory: the leases and checkpoints of the nodes sharing the ledger.
const esdbSystemFile = "esdb-system.db"

// esdbComponent serves the ledger over EventStoreDB's gRPC protocol
// (--esdb-listen), so that EventStoreDB clients and other ledger nodes
// (--store esdb://...) read, follow and append to it.
type esdbComponent struct {
	listen   string
	certFile string
	keyFile  string
	insecure bool
	// addr is where it listens once started (tests listen on port 0).
	addr string
	// system keeps the endpoint's system streams; stopped is done once
	// the endpoint no longer uses them.
	system  *esdbserver.SystemStreams
	stopped sync.WaitGroup
}

func newESDBComponent() serveComponent { return &esdbComponent{} }

func (c *esdbComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.listen, "esdb-listen", envOr("LEDGER_ESDB_LISTEN", ""), "serve the ledger over EventStoreDB's gRPC protocol on this address, e.g. 127.0.0.1:2113 (env LEDGER_ESDB_LISTEN); empty: not served")
	fs.StringVar(&c.certFile, "esdb-tls-cert", envOr("LEDGER_ESDB_TLS_CERT", ""), "with --esdb-listen: TLS certificate (PEM); with TLS, clients sign in with a ledger user's basic credentials (env LEDGER_ESDB_TLS_CERT)")
	fs.StringVar(&c.keyFile, "esdb-tls-key", envOr("LEDGER_ESDB_TLS_KEY", ""), "with --esdb-listen: TLS private key (PEM) (env LEDGER_ESDB_TLS_KEY)")
	fs.BoolVar(&c.insecure, "esdb-insecure", false, "with --esdb-listen and no TLS: allow a non-loopback address (clients send no credentials without TLS, so anyone who reaches it may read and append)")
}

// provide opens the endpoint's system streams, and elects this node's
// singletons there (unless its own store is shared already): the nodes
// on this ledger and this one take part in one election.
func (c *esdbComponent) provide(core *serveCore) (offers, error) {
	if c.listen == "" {
		return offers{}, nil
	}
	system, err := esdbserver.OpenSystemStreams(core.ctx, filepath.Join(core.dataDir, esdbSystemFile))
	if err != nil {
		return offers{}, err
	}
	c.system = system
	if core.singletons.shared == nil && !core.singletons.off {
		core.elect(sharedSingletons(system, core.leaseTTL))
	}
	core.goRun(func() {
		<-core.ctx.Done()
		c.stopped.Wait()
		_ = system.Close()
	})
	return offers{}, nil
}

func (c *esdbComponent) start(core *serveCore, _ offers) error {
	if c.listen == "" {
		return nil
	}
	cfg := esdbserver.Config{Store: core.rawStore, System: c.system, Log: slog.Default().With("component", "esdb")}
	var opts []grpc.ServerOption
	switch {
	case c.certFile != "" || c.keyFile != "":
		cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--esdb-tls-cert/--esdb-tls-key: %w", err)}
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})))
		cfg.Check = ledgerUsers(accounts.Open(filepath.Join(core.dataDir, accounts.File)))
	case !c.insecure && !netaddr.IsLoopback(c.listen):
		return &exitError{code: 2, err: fmt.Errorf("--esdb-listen %s without TLS would let anyone who reaches it read and append: give --esdb-tls-cert and --esdb-tls-key, listen on a loopback address, or pass --esdb-insecure", c.listen)}
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listen on %s (--esdb-listen): %w", c.listen, err)
	}
	c.addr = ln.Addr().String()
	host, port, _ := net.SplitHostPort(c.addr)
	var portNum uint32
	fmt.Sscan(port, &portNum)
	cfg.AdvertiseHost, cfg.AdvertisePort = host, portNum
	g := esdbserver.New(cfg).NewGRPCServer(opts...)
	c.stopped.Add(1)
	core.goRun(func() {
		if err := g.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			slog.Error("esdb endpoint stopped", "err", err)
		}
	})
	core.goRun(func() {
		<-core.ctx.Done()
		g.Stop() // subscriptions are endless: a graceful stop would wait for them
		c.stopped.Done()
	})
	slog.Info("serving the ledger over EventStoreDB's protocol", "addr", c.addr, "tls", c.certFile != "")
	return nil
}

// ledgerUsers checks basic credentials against the ledger's accounts:
// admins may read and append, auditors may read, no one else may do
// either.
func ledgerUsers(users *accounts.Store) esdbserver.Checker {
	return func(_ context.Context, user, password string) (esdbserver.Permission, error) {
		a, err := users.Authenticate(user, password)
		if err != nil {
			return esdbserver.Permission{}, err
		}
		switch a.Role {
		case auth.RoleAdmin:
			return esdbserver.Permission{Read: true, Append: true}, nil
		case auth.RoleAuditor:
			return esdbserver.Permission{Read: true}, nil
		}
		return esdbserver.Permission{}, nil
	}
}
