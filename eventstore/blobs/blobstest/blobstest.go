// Package blobstest is the conformance suite every blob Backend passes:
// the directory and the S3 back end run the same tests through a Store
// with real data keys.
package blobstest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// Keys returns a data key store in a temporary directory.
func Keys(t testing.TB) *datakeys.Store {
	t.Helper()
	master, err := datakeys.NewLocalMaster(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "keys.db"), master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keys.Close() })
	return keys
}

// Run runs the suite; open returns an empty backend for each test.
func Run(t *testing.T, open func(t *testing.T) blobs.Backend) {
	t.Run("RoundTrip", func(t *testing.T) { roundTrip(t, open(t)) })
	t.Run("StoredOncePerCustomer", func(t *testing.T) { storedOnce(t, open(t)) })
	t.Run("TooLargeStoresNothing", func(t *testing.T) { tooLarge(t, open(t)) })
	t.Run("OtherCustomersCannotOpen", func(t *testing.T) { otherCustomers(t, open(t)) })
	t.Run("ErasedCannotBeOpened", func(t *testing.T) { erased(t, open(t)) })
	t.Run("InvalidReferences", func(t *testing.T) { invalid(t, open(t)) })
	t.Run("CancelledPutStoresNothing", func(t *testing.T) { cancelled(t, open(t)) })
}

// chunk is age's chunk size: the sizes around it are where a streaming
// format goes wrong.
const chunk = 64 << 10

func roundTrip(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t))
	for _, size := range []int{0, 1, chunk - 1, chunk, chunk + 1, 3*chunk + 17} {
		content := random(t, size)
		ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatalf("put %d bytes: %v", size, err)
		}
		if ref.Size != int64(size) {
			t.Errorf("put %d bytes: ref says %d", size, ref.Size)
		}
		if got := ReadAll(t, s, "customer-1", ref.SHA256); !bytes.Equal(got, content) {
			t.Errorf("%d bytes put, %d read back, not the same", size, len(got))
		}
	}
	for _, c := range []struct {
		content []byte
		want    string
	}{
		{[]byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), "application/pdf"},
		{append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...), "image/png"},
		{[]byte("<html><script>alert(1)</script>"), "text/html; charset=utf-8"},
	} {
		ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(c.content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if ref.ContentType != c.want {
			t.Errorf("content %q sniffed as %q, want %q", c.content[:8], ref.ContentType, c.want)
		}
	}
}

func storedOnce(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t))
	content := random(t, 1000)
	first, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if first != again {
		t.Errorf("the same content put twice: %+v, then %+v", first, again)
	}
	if got := ReadAll(t, s, "customer-1", first.SHA256); !bytes.Equal(got, content) {
		t.Error("the content put twice does not read back")
	}
}

func tooLarge(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t))
	content := random(t, 2*chunk)
	_, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 2*chunk-1)
	var tl *blobs.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 2*chunk-1 {
		t.Fatalf("put over the limit: %v, want a TooLargeError of the limit", err)
	}
	sum := blobs.SHA256Hex(content)
	if _, err := s.Open(t.Context(), "customer-1", sum); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("open what was refused as too large: %v, want ErrNotFound", err)
	}
	if _, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 2*chunk); err != nil {
		t.Errorf("put at exactly the limit: %v", err)
	}
}

func otherCustomers(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t))
	ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader([]byte("invoice")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), "customer-2", bytes.NewReader([]byte("other")), 1<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(t.Context(), "customer-2", ref.SHA256); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("customer-2 opening customer-1's blob by its hash: %v, want ErrNotFound", err)
	}
}

func erased(t *testing.T, b blobs.Backend) {
	keys := Keys(t)
	s := blobs.New(b, keys)
	ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader([]byte("passport scan")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Erase(t.Context(), "customer-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(t.Context(), "customer-1", ref.SHA256); !errors.Is(err, datakeys.ErrErased) {
		t.Errorf("open after the key was erased: %v, want ErrErased", err)
	}
	if _, err := s.Put(t.Context(), "customer-1", bytes.NewReader([]byte("more")), 1<<20); !errors.Is(err, datakeys.ErrErased) {
		t.Errorf("put for an erased customer: %v, want ErrErased", err)
	}
	if err := s.Erase(t.Context(), "customer-1"); err != nil {
		t.Fatal(err)
	}
	key, _ := blobs.ObjectKey("customer-1", ref.SHA256)
	if _, err := b.Open(t.Context(), key); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("the sealed object after the erasure: %v, want ErrNotFound", err)
	}
}

func invalid(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t))
	sum := blobs.SHA256Hex([]byte("x"))
	for _, c := range []struct{ customer, sha string }{
		{"../customer-1", sum}, {"customer-1/..", sum}, {"", sum}, {"customer-1", "../../etc/passwd"},
		{"customer-1", sum[:63]}, {"customer-1", sum + "0"}, {"customer-1", "ABCDEF" + sum[6:]},
	} {
		if _, err := s.Open(t.Context(), c.customer, c.sha); !errors.Is(err, blobs.ErrInvalid) {
			t.Errorf("open customer %q sha %q: %v, want ErrInvalid", c.customer, c.sha, err)
		}
	}
	if _, err := s.Put(t.Context(), "../x", bytes.NewReader(nil), 10); !errors.Is(err, blobs.ErrInvalid) {
		t.Errorf("put for customer ../x: %v, want ErrInvalid", err)
	}
}

func cancelled(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t))
	ctx, cancel := context.WithCancel(t.Context())
	content := random(t, 4*chunk)
	r := &cancelAfter{r: bytes.NewReader(content), n: 2 * chunk, cancel: cancel}
	if _, err := s.Put(ctx, "customer-1", r, 1<<20); err == nil {
		t.Fatal("a put whose context ended half-way succeeded")
	}
	if _, err := s.Open(t.Context(), "customer-1", blobs.SHA256Hex(content)); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("open after a cancelled put: %v, want ErrNotFound", err)
	}
}

// ReadAll reads a blob whole.
func ReadAll(t *testing.T, s *blobs.Store, customer, sha string) []byte {
	t.Helper()
	r, err := s.Open(t.Context(), customer, sha)
	if err != nil {
		t.Fatalf("open %s/%s: %v", customer, sha, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s/%s: %v", customer, sha, err)
	}
	return got
}

func random(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// cancelAfter cancels its context once n bytes were read.
type cancelAfter struct {
	r      io.Reader
	n      int
	read   int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	if c.read >= c.n {
		c.cancel()
	}
	return n, err
}
