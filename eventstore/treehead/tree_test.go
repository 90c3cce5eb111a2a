package treehead_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/treehead"
)

func leaf(i int) []byte {
	return treehead.LeafHash(eventstore.RecordedEvent{ID: uuid.NewSHA1(uuid.Nil, []byte{byte(i), byte(i >> 8)}), Hash: hex.EncodeToString([]byte{byte(i)})})
}

func tree(n int) *treehead.Tree {
	t := treehead.NewTree()
	for i := range n {
		t.Append(leaf(i))
	}
	return t
}

func TestEmptyRootIsTheHashOfNothing(t *testing.T) {
	want := sha256.Sum256(nil)
	if got := treehead.NewTree().Root(); !bytes.Equal(got, want[:]) {
		t.Fatalf("empty root %x, want %x (RFC 6962)", got, want)
	}
}

func TestRootsAtEverySizeAgree(t *testing.T) {
	full := tree(300)
	for size := range 301 {
		prefix := tree(size)
		got, err := full.RootAt(uint64(size))
		if err != nil || !bytes.Equal(got, prefix.Root()) {
			t.Fatalf("root at %d from the full tree %x (%v), from the prefix %x", size, got, err, prefix.Root())
		}
	}
	if _, err := full.RootAt(301); err == nil {
		t.Fatal("a root past the tree's size")
	}
}

func TestInclusionProofs(t *testing.T) {
	full := tree(70)
	for size := uint64(1); size <= 70; size++ {
		root, _ := full.RootAt(size)
		for i := range size {
			p, err := full.InclusionProof(i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := treehead.VerifyInclusion(i, size, full.Leaf(i), p, root); err != nil {
				t.Fatalf("leaf %d of %d: %v", i, size, err)
			}
			if size > 1 {
				other := full.Leaf((i + 1) % size)
				if err := treehead.VerifyInclusion(i, size, other, p, root); err == nil {
					t.Fatalf("leaf %d of %d: another leaf verified in its place", i, size)
				}
			}
		}
	}
}

func TestConsistencyProofs(t *testing.T) {
	full := tree(70)
	for size2 := uint64(1); size2 <= 70; size2++ {
		root2, _ := full.RootAt(size2)
		for size1 := uint64(1); size1 <= size2; size1++ {
			root1, _ := full.RootAt(size1)
			p, err := full.ConsistencyProof(size1, size2)
			if err != nil {
				t.Fatal(err)
			}
			if err := treehead.VerifyConsistency(size1, size2, p, root1, root2); err != nil {
				t.Fatalf("%d to %d: %v", size1, size2, err)
			}
			if size1 < size2 {
				forged := tree(int(size2))
				forged.Append(leaf(999))
				if err := treehead.VerifyConsistency(size1, size2, p, root1, forged.Root()); err == nil {
					t.Fatalf("%d to %d: consistent with another tree's root", size1, size2)
				}
			}
		}
	}
}

func TestSignedHeadRoundTrip(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, treehead.Origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, err := treehead.ParseVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	h := treehead.Head{Origin: treehead.Origin, Size: 42, Root: tree(42).Root(), Time: time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)}
	signed, err := treehead.Sign(h, signer)
	if err != nil {
		t.Fatal(err)
	}
	got, err := treehead.Open(signed, verifier)
	if err != nil || got.Size != 42 || !bytes.Equal(got.Root, h.Root) || !got.Time.Equal(h.Time) {
		t.Fatalf("opened %+v, %v; want %+v", got, err, h)
	}
	altered := bytes.Replace(signed, []byte("\n42\n"), []byte("\n43\n"), 1)
	if _, err := treehead.Open(altered, verifier); err == nil {
		t.Fatal("a head whose size was changed opened")
	}
	_, otherKey, _ := note.GenerateKey(rand.Reader, treehead.Origin)
	other, _ := treehead.ParseVerifier(otherKey)
	if _, err := treehead.Open(signed, other); err == nil {
		t.Fatal("a head opened with another key")
	}
}
