package treehead_test

import (
	"crypto/rand"
	"encoding/json"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/treehead"
)

// fuzzKeys is a signing key and its verifier for the fuzz seeds.
func fuzzKeys(f *testing.F) (note.Signer, note.Verifier) {
	skey, vkey, err := note.GenerateKey(rand.Reader, treehead.Origin)
	if err != nil {
		f.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	return signer, verifier
}

// FuzzOpenHead: a signed head an auditor is handed is outside input;
// opening it never panics, and what opens is what was signed.
func FuzzOpenHead(f *testing.F) {
	signer, verifier := fuzzKeys(f)
	signed, err := treehead.Sign(treehead.Head{Origin: treehead.Origin, Size: 7, Root: tree(7).Root(), Time: time.Unix(1, 0)}, signer)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	f.Add([]byte("interactionledger.example/ledger\n7\nAAAA\n\n— x y\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := treehead.Open(b, verifier)
		if err == nil && (h.Size != 7 || len(h.Root) != 32) {
			t.Fatalf("opened a head that was not signed: %+v", h)
		}
	})
}

// FuzzBundleVerify: an audit bundle is outside input; checking it never
// panics, and a bundle that checks holds events whose hashes match.
func FuzzBundleVerify(f *testing.F) {
	signer, verifier := fuzzKeys(f)
	e := eventstore.RecordedEvent{Stream: "ticket-1", Type: "TicketOpened", Data: []byte(`{}`), Metadata: []byte(`{}`), RecordedAt: time.Unix(1, 0).UTC()}
	e.Hash = eventstore.ComputeHash("", e)
	tr := treehead.NewTree()
	tr.Append(treehead.LeafHash(e))
	signed, _ := treehead.Sign(treehead.Head{Origin: treehead.Origin, Size: 1, Root: tr.Root(), Time: time.Unix(1, 0)}, signer)
	b, _ := json.Marshal(treehead.Bundle{Format: treehead.BundleFormat, SignedHead: string(signed), Events: []treehead.BundleEvent{treehead.NewBundleEvent(e, 0, nil)}})
	f.Add(b)
	f.Add([]byte(`{"format":"interaction-ledger-audit-bundle/v1","events":[{}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var b treehead.Bundle
		if json.Unmarshal(raw, &b) != nil {
			return
		}
		if _, err := b.Verify(verifier); err == nil {
			for _, e := range b.Events {
				if e.Hash == "" {
					t.Fatalf("a bundle with an unhashed event verified: %s", raw)
				}
			}
		}
	})
}
