package blobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/blobs/blobstest"
)

func openDir(t *testing.T) blobs.Backend {
	d, err := blobs.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirConformance(t *testing.T) { blobstest.Run(t, openDir) }

// TestDirScanning runs the scanning cases, and checks after each that no
// staged object was left behind: what is infected or could not be
// scanned is discarded, not only left uncommitted.
func TestDirScanning(t *testing.T) {
	blobstest.RunScanning(t, func(t *testing.T) blobs.Backend {
		root := t.TempDir()
		d, err := blobs.OpenDir(root)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			left, err := os.ReadDir(filepath.Join(root, "staging"))
			if err != nil || len(left) > 0 {
				t.Errorf("staging holds %d objects (%v) after the test", len(left), err)
			}
		})
		return d
	})
}

// TestDirObjectsAreSealed: what lies on disk is neither the content nor
// readable as another blob: a sealed object moved under another blob's
// name fails the read.
func TestDirObjectsAreSealed(t *testing.T) {
	root := t.TempDir()
	d, err := blobs.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	s := blobs.New(d, blobstest.Keys(t))
	secret := []byte(strings.Repeat("card number 4111 1111 1111 1111; ", 100))
	a, err := s.Put(t.Context(), "customer-1", bytes.NewReader(secret), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Put(t.Context(), "customer-1", bytes.NewReader([]byte("another file")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	pathA := filepath.Join(root, "objects", "customer-1", a.SHA256)
	onDisk, err := os.ReadFile(pathA)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(onDisk, []byte("4111")) {
		t.Fatal("the object on disk holds the content in clear")
	}
	if err := os.WriteFile(filepath.Join(root, "objects", "customer-1", b.SHA256), onDisk, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(t.Context(), "customer-1", b.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadAll(r); err == nil {
		t.Error("an object moved under another blob's name read without an error")
	}

	onDisk[len(onDisk)/2] ^= 1
	if err := os.WriteFile(pathA, onDisk, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = s.Open(t.Context(), "customer-1", a.SHA256)
	if err == nil {
		_, err = io.ReadAll(r)
		r.Close()
	}
	if err == nil {
		t.Error("a flipped bit in the sealed object read without an error")
	}
}

// TestDirStreamsWithoutBuffering: a 64 MiB file is stored and read back
// with the heap never more than a few chunks above where it started: the
// content streams through, it is never held whole. (The GC runs often
// meanwhile, so the heap follows what is live rather than the garbage of
// the chunks passed.)
func TestDirStreamsWithoutBuffering(t *testing.T) {
	t.Run("unscanned", func(t *testing.T) { streamsWithoutBuffering(t, blobs.New(openDir(t), blobstest.Keys(t)), nil) })
	t.Run("scanned", func(t *testing.T) {
		// The scanner hashes what it is given: the content reaches it
		// whole, in the same pass, and is not buffered for it either.
		h := sha256.New()
		sc := blobstest.ScannerFunc(func(_ context.Context, r io.Reader) (string, error) {
			_, err := io.Copy(h, r)
			return "", err
		})
		s := blobs.New(openDir(t), blobstest.Keys(t), blobs.WithScanner(sc))
		streamsWithoutBuffering(t, s, func() string { return hex.EncodeToString(h.Sum(nil)) })
	})
}

func streamsWithoutBuffering(t *testing.T, s *blobs.Store, scanned func() string) {
	const size = 64 << 20
	ref, above := heapOfRoundTrip(t, s, size)
	if scanned != nil && scanned() != ref.SHA256 {
		t.Errorf("the scanner saw content hashing to %s, not the %s stored", scanned(), ref.SHA256)
	}
	if above > 16<<20 {
		t.Errorf("storing and reading %d MiB took the heap %d MiB above its start: the content was buffered", size>>20, above>>20)
	}
}

// heapOfRoundTrip stores size bytes and reads them back, with the GC
// running often, and returns the stored blob and how far the heap went
// above where it started.
func heapOfRoundTrip(t *testing.T, s *blobs.Store, size int64) (blobs.Ref, int64) {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	peak := watchHeap(t)

	ref, err := s.Put(t.Context(), "customer-1", io.LimitReader(zeros{}, size), size)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(t.Context(), "customer-1", ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	r.Close()
	if err != nil || n != size {
		t.Fatalf("read back %d bytes (%v), want %d", n, err, size)
	}
	above := int64(peak()) - int64(base.HeapAlloc)
	t.Logf("heap peak %.1f MiB above its start", float64(above)/(1<<20))
	return ref, above
}

// watchHeap samples the heap until the returned function is called, which
// returns the largest HeapAlloc seen.
func watchHeap(t *testing.T) func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		var m runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	var peak uint64
	stopWatching := func() uint64 {
		once.Do(func() { close(stop); peak = <-done })
		return peak
	}
	t.Cleanup(func() { stopWatching() })
	return stopWatching
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
