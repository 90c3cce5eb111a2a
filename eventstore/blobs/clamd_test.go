package blobs_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"testing"

	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/blobs/blobstest"
	"github.com/interactionledger/ledger/internal/clamav"
	"github.com/interactionledger/ledger/internal/clamav/clamavtest"
)

// TestScanningWithClamd puts through a real clamd: clean files are
// stored, EICAR alone or in an email part is quarantined and not stored,
// content over clamd's stream limit and a clamd that is gone fail the put
// as a scan failure, with nothing stored.
func TestScanningWithClamd(t *testing.T) {
	srv := clamavtest.Start(t)
	s := blobs.New(openDir(t), blobstest.Keys(t), blobs.WithScanner(srv.Client()))

	pdf := []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
	ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(pdf), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !ref.Scanned || ref.Infected != "" || ref.ContentType != "application/pdf" {
		t.Errorf("a clean PDF: %+v", ref)
	}
	if got := blobstest.ReadAll(t, s, "customer-1", ref.SHA256); !bytes.Equal(got, pdf) {
		t.Error("the clean PDF does not read back")
	}

	email := []byte("From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(clamavtest.EICAR()) + "\r\n--b--\r\n")
	for name, content := range map[string][]byte{"eicar": clamavtest.EICAR(), "eicar in an email": email} {
		ref, err := s.Put(t.Context(), "customer-1", bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
		if ref.Infected != clamavtest.Signature || !ref.Scanned || ref.SHA256 != blobs.SHA256Hex(content) {
			t.Errorf("put %s: %+v, want it infected with %s", name, ref, clamavtest.Signature)
		}
		if _, err := s.Open(t.Context(), "customer-1", ref.SHA256); !errors.Is(err, blobs.ErrNotFound) {
			t.Errorf("open %s: %v, want ErrNotFound", name, err)
		}
	}

	_, err = s.Put(t.Context(), "customer-1", io.LimitReader(zeros{}, clamavtest.StreamMaxLength+1), 2*clamavtest.StreamMaxLength)
	if !errors.Is(err, blobs.ErrScanUnavailable) || !errors.Is(err, clamav.ErrSizeLimit) {
		t.Errorf("put over clamd's stream limit: %v, want ErrScanUnavailable for its size limit", err)
	}

	srv.Kill()
	_, err = s.Put(t.Context(), "customer-1", bytes.NewReader([]byte("after clamd died")), 1<<20)
	if !errors.Is(err, blobs.ErrScanUnavailable) || !errors.Is(err, clamav.ErrUnavailable) {
		t.Errorf("put with clamd gone: %v, want ErrScanUnavailable", err)
	}
	if _, err := s.Open(t.Context(), "customer-1", blobs.SHA256Hex([]byte("after clamd died"))); !errors.Is(err, blobs.ErrNotFound) {
		t.Errorf("open what could not be scanned: %v, want ErrNotFound", err)
	}
}
