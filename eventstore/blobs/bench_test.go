package blobs_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"io"
	"testing"

	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/blobs/blobstest"
	"github.com/interactionledger/ledger/eventstore/blobs/s3test"
	"github.com/interactionledger/ledger/internal/clamav/clamavtest"
)

// benchSize is the attachment the benchmarks move: large enough that
// the throughput, not the round trips, is measured, and two S3 parts.
const benchSize = 16 << 20

// BenchmarkStore measures Put (sealing and uploading) and Open (reading
// back, opening and checking) of a 16 MiB attachment on each back end;
// -bench prints MB/s of content.
func BenchmarkStore(b *testing.B) {
	b.Run("Dir", func(b *testing.B) {
		d, err := blobs.OpenDir(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		benchBackend(b, d)
	})
	// DirScanned: the embedded back end with clamd scanning every put in
	// the same pass (a real daemon with the test signature).
	b.Run("DirScanned", func(b *testing.B) {
		d, err := blobs.OpenDir(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		benchBackend(b, d, blobs.WithScanner(clamavtest.Start(b).Client()))
	})
	b.Run("S3", func(b *testing.B) {
		srv := s3test.Start(b)
		b.Setenv(blobs.EnvAccessKey, srv.AccessKey)
		b.Setenv(blobs.EnvSecretKey, srv.SecretKey)
		s3, err := blobs.OpenBackend(b.Context(), srv.Spec(srv.Bucket), "")
		if err != nil {
			b.Fatal(err)
		}
		benchBackend(b, s3)
	})
}

func benchBackend(b *testing.B, backend blobs.Backend, opts ...blobs.Option) {
	s := blobs.New(backend, blobstest.Keys(b), opts...)
	content := make([]byte, benchSize)
	if _, err := rand.Read(content); err != nil {
		b.Fatal(err)
	}
	b.Run("Put", func(b *testing.B) {
		b.SetBytes(benchSize)
		for i := 0; b.Loop(); i++ {
			// A new content each time: a put of stored content skips the commit's copy.
			binary.LittleEndian.PutUint64(content, uint64(i))
			if _, err := s.Put(b.Context(), "customer-1", bytes.NewReader(content), benchSize); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open", func(b *testing.B) {
		ref, err := s.Put(b.Context(), "customer-2", bytes.NewReader(content), benchSize)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(benchSize)
		for b.Loop() {
			r, err := s.Open(b.Context(), "customer-2", ref.SHA256)
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, r)
			r.Close()
			if err != nil || n != benchSize {
				b.Fatalf("read %d bytes (%v), want %d", n, err, benchSize)
			}
		}
	})
}
