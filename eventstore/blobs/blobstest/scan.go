package blobstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/interactionledger/ledger/eventstore/blobs"
)

// ScannerFunc is a Scanner made of a function: the fakes of the scanning
// cases.
type ScannerFunc func(ctx context.Context, r io.Reader) (string, error)

// Scan implements blobs.Scanner.
func (f ScannerFunc) Scan(ctx context.Context, r io.Reader) (string, error) { return f(ctx, r) }

// RunScanning runs the scanning cases on a backend: a Store with a fake
// scanner stores what is clean, keeps nothing of what is infected or
// could not be scanned, and reports one cause when a put fails.
func RunScanning(t *testing.T, open func(t *testing.T) blobs.Backend) {
	t.Run("CleanIsScannedAndStored", func(t *testing.T) { scanClean(t, open(t)) })
	t.Run("InfectedIsNotStored", func(t *testing.T) { scanInfected(t, open(t)) })
	t.Run("EarlyVerdictMeasuresTheWhole", func(t *testing.T) { scanEarlyVerdict(t, open(t)) })
	t.Run("ScannerFailureStoresNothing", func(t *testing.T) { scanFailure(t, open) })
	t.Run("OtherFailuresAreTheCause", func(t *testing.T) { scanOtherCauses(t, open) })
	t.Run("WithoutScannerNotScanned", func(t *testing.T) { scanNone(t, open(t)) })
}

// Marker is what the fake scanner flags, as Signature.
var (
	Marker    = []byte("MALWARE-TEST-MARKER")
	Signature = "Fake.Test.Marker"
)

// markerScanner reads the content whole (the test contents are small)
// and flags it when it holds Marker; it keeps the hash of what it read.
type markerScanner struct {
	mu   sync.Mutex
	seen []string
}

func (m *markerScanner) Scan(_ context.Context, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	sum := sha256.Sum256(b)
	m.seen = append(m.seen, hex.EncodeToString(sum[:]))
	m.mu.Unlock()
	if bytes.Contains(b, Marker) {
		return Signature, nil
	}
	return "", nil
}

func scanClean(t *testing.T, b blobs.Backend) {
	sc := &markerScanner{}
	s := blobs.New(b, Keys(t), blobs.WithScanner(sc))
	content := random(t, 3*chunk+5)
	ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !ref.Scanned || ref.Infected != "" {
		t.Errorf("clean content: scanned %v, infected %q", ref.Scanned, ref.Infected)
	}
	if len(sc.seen) != 1 || sc.seen[0] != ref.SHA256 {
		t.Errorf("the scanner saw %v, want the content %s once", sc.seen, ref.SHA256)
	}
	if got := ReadAll(t, s, "customer-1", ref.SHA256); !bytes.Equal(got, content) {
		t.Error("clean content does not read back")
	}
}

func scanInfected(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t), blobs.WithScanner(&markerScanner{}))
	content := append(append(random(t, chunk), Marker...), random(t, 100)...)
	ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
	if err != nil {
		t.Fatalf("put infected content: %v, want its Ref and no error", err)
	}
	want := blobs.Ref{SHA256: blobs.SHA256Hex(content), Size: int64(len(content)), ContentType: "application/octet-stream", Infected: Signature, Scanned: true}
	if ref != want {
		t.Errorf("infected content: %+v, want %+v", ref, want)
	}
	if _, err := s.Open(t.Context(), "customer-1", ref.SHA256); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("open infected content: %v, want ErrNotFound", err)
	}
	key, _ := blobs.ObjectKey("customer-1", ref.SHA256)
	if _, err := b.Open(t.Context(), key); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("the backend's object of infected content: %v, want ErrNotFound", err)
	}
}

// scanEarlyVerdict: a scanner may answer before the end (clamd does not,
// others might); the Ref still measures the whole content.
func scanEarlyVerdict(t *testing.T, b blobs.Backend) {
	early := ScannerFunc(func(_ context.Context, r io.Reader) (string, error) {
		_, err := io.ReadFull(r, make([]byte, 100))
		return Signature, err
	})
	s := blobs.New(b, Keys(t), blobs.WithScanner(early))
	content := random(t, 5*chunk)
	ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Infected != Signature || ref.Size != int64(len(content)) || ref.SHA256 != blobs.SHA256Hex(content) {
		t.Errorf("an early verdict: %+v, want the signature with the whole content's size and hash", ref)
	}
}

// scanFailure: a scanner that fails before reading, half-way or after the
// end fails the put with ErrScanUnavailable and its cause, said once, and
// nothing is stored.
func scanFailure(t *testing.T, open func(t *testing.T) blobs.Backend) {
	content := random(t, 8*chunk)
	for name, after := range map[string]int{"at once": 0, "half-way": 3 * chunk, "at the end": -1} {
		t.Run(name, func(t *testing.T) {
			down := ScannerFunc(func(_ context.Context, r io.Reader) (string, error) {
				var err error
				if after < 0 {
					_, err = io.Copy(io.Discard, r)
				} else {
					_, err = io.ReadFull(r, make([]byte, after))
				}
				if err != nil {
					return "", err
				}
				return "", errors.New("clamd went away")
			})
			s := blobs.New(open(t), Keys(t), blobs.WithScanner(down))
			_, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
			if !errors.Is(err, blobs.ErrScanUnavailable) {
				t.Fatalf("put with a failing scanner: %v, want ErrScanUnavailable", err)
			}
			if n := strings.Count(err.Error(), "clamd went away"); n != 1 {
				t.Errorf("the cause is said %d times in %q", n, err)
			}
			if _, err := s.Open(t.Context(), "customer-1", blobs.SHA256Hex(content)); !errors.Is(err, blobs.ErrNotFound) {
				t.Errorf("open what could not be scanned: %v, want ErrNotFound", err)
			}
		})
	}
}

// scanOtherCauses: content over the limit, a failing reader and a
// cancelled context fail the put for what they are, not as a scanner
// failure, though the scanner sees its stream break too.
func scanOtherCauses(t *testing.T, open func(t *testing.T) blobs.Backend) {
	s := blobs.New(open(t), Keys(t), blobs.WithScanner(&markerScanner{}))
	_, err := s.Put(t.Context(), "customer-1", bytes.NewReader(random(t, 2*chunk)), chunk)
	var tl *blobs.TooLargeError
	if !errors.As(err, &tl) || errors.Is(err, blobs.ErrScanUnavailable) {
		t.Errorf("put over the limit: %v, want a TooLargeError alone", err)
	}

	boom := errors.New("the sender hung up")
	_, err = s.Put(t.Context(), "customer-1", io.MultiReader(bytes.NewReader(random(t, chunk)), errReader{boom}), 1<<20)
	if !errors.Is(err, boom) || errors.Is(err, blobs.ErrScanUnavailable) || strings.Count(err.Error(), boom.Error()) != 1 {
		t.Errorf("put of a failing reader: %v, want its error alone, once", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	content := random(t, 4*chunk)
	_, err = s.Put(ctx, "customer-1", &cancelAfter{r: bytes.NewReader(content), n: 2 * chunk, cancel: cancel}, 1<<20)
	if !errors.Is(err, context.Canceled) || errors.Is(err, blobs.ErrScanUnavailable) {
		t.Errorf("a put whose context ended: %v, want context.Canceled, not ErrScanUnavailable", err)
	}
	if _, err := s.Open(t.Context(), "customer-1", blobs.SHA256Hex(content)); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("open after a cancelled put: %v, want ErrNotFound", err)
	}
}

func scanNone(t *testing.T, b blobs.Backend) {
	s := blobs.New(b, Keys(t))
	ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(Marker), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Scanned || ref.Infected != "" {
		t.Errorf("a store without a scanner: scanned %v, infected %q", ref.Scanned, ref.Infected)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
