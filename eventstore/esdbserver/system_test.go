package esdbserver_test

import (
	"path/filepath"
	"sync"
	"sync/atomic"
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

// Two processes' handles on one system streams file (nodes on one data
// directory) race for the same revisions: each revision is taken once,
// the losers see version conflicts, nothing else fails.
func TestSystemStreamsSharedFileRaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "system.db")
	var handles []*esdbserver.SystemStreams
	for range 2 {
		s, err := esdbserver.OpenSystemStreams(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		handles = append(handles, s)
	}
	const stream, rounds = "$ledger-lease-router", 40
	var wg sync.WaitGroup
	var won atomic.Int64
	errs := make(chan error, 8*rounds)
	for w := range 8 {
		wg.Add(1)
		go func(s *esdbserver.SystemStreams) {
			defer wg.Done()
			for range rounds {
				last, found, err := s.Last(t.Context(), stream)
				expected := eventstore.NoStream
				if err == nil && found {
					expected = eventstore.Exact(last.Version)
				}
				_, err = s.Put(t.Context(), stream, expected, "$ledger-lease", []byte(`{}`))
				switch {
				case err == nil:
					won.Add(1)
				case !eventstore.IsVersionConflict(err):
					errs <- err
				}
			}
		}(handles[w%2])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a racing append failed with %v; want a version conflict or success", err)
	}
	tail, err := handles[0].ReadStreamTail(t.Context(), stream, 1)
	if err != nil || len(tail) != 1 || tail[0].Version != won.Load()-1 {
		t.Fatalf("last revision %v (%v) after %d successful appends", tail, err, won.Load())
	}
}
