package esdbserver_test

import (
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdbserver"
)

func TestSystemStreamsKeepTheNewestAndCheckVersions(t *testing.T) {
	s, err := esdbserver.OpenSystemStreams(t.Context(), filepath.Join(t.TempDir(), "system.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ev := []eventstore.EventData{{Type: "$ledger-lease", Data: []byte(`{}`)}}
	const stream = "$ledger-lease-router"
	if _, err := s.Append(t.Context(), stream, eventstore.Exact(0), ev); !eventstore.IsVersionConflict(err) {
		t.Fatalf("exact 0 on an empty stream: %v; want a version conflict", err)
	}
	if _, err := s.Append(t.Context(), stream, eventstore.NoStream, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(t.Context(), stream, eventstore.NoStream, ev); !eventstore.IsVersionConflict(err) {
		t.Fatalf("no stream on a stream: %v; want a version conflict", err)
	}
	total := esdbserver.SystemKeep + 20
	for v := int64(0); v < int64(total)-1; v++ {
		res, err := s.Append(t.Context(), stream, eventstore.Exact(v), ev)
		if err != nil || res.NextExpectedVersion != v+1 {
			t.Fatalf("append after %d: %+v, %v", v, res, err)
		}
	}
	kept, err := s.ReadStream(t.Context(), stream, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != esdbserver.SystemKeep || kept[0].Version != int64(total-esdbserver.SystemKeep) || kept[len(kept)-1].Version != int64(total-1) {
		t.Fatalf("kept %d events from %d to %d; want the newest %d, up to %d", len(kept), kept[0].Version, kept[len(kept)-1].Version, esdbserver.SystemKeep, total-1)
	}
	tail, err := s.ReadStreamTail(t.Context(), stream, 1)
	if err != nil || len(tail) != 1 || tail[0].Version != int64(total-1) {
		t.Fatalf("tail %v, %v", tail, err)
	}
	if got, err := s.ReadStream(t.Context(), "$ledger-lease-sla", 0, 10); err != nil || len(got) != 0 {
		t.Fatalf("another stream: %v, %v", got, err)
	}
}
