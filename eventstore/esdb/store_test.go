package esdb_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdb"
	"github.com/interactionledger/ledger/eventstore/esdbserver"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/eventstore/storetest"
)

// TestConformance runs the store suite on the esdb store, talking to the
// ledger's own protocol endpoint over a SQLite ledger.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		url, _ := serveLedger(t)
		s, err := esdb.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// serveLedger starts a protocol endpoint over a fresh SQLite ledger and
// returns its connection string and the ledger.
func serveLedger(t testing.TB) (string, *sqlite.Store) {
	t.Helper()
	backing, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	system, err := esdbserver.OpenSystemStreams(context.Background(), filepath.Join(t.TempDir(), "system.db"))
	if err != nil {
		t.Fatal(err)
	}
	g := esdbserver.New(esdbserver.Config{Store: backing, System: system, AdvertiseHost: "127.0.0.1", AdvertisePort: uint32(port)}).NewGRPCServer()
	go g.Serve(ln)
	t.Cleanup(func() {
		g.Stop()
		backing.Close()
		system.Close()
	})
	return fmt.Sprintf("esdb://127.0.0.1:%d?tls=false", port), backing
}
