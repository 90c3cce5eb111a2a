package blobs

import (
	"fmt"

	"filippo.io/age"

	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// A sealed blob is an age file whose one recipient stanza is its random
// file key sealed with the customer's data key: age does the streaming
// encryption (ChaCha20-Poly1305 in 64 KiB chunks, each authenticated, the
// last one marked, so neither a flipped bit nor a cut-off file reads as
// content), the data key decides who can read it.

// stanzaType names the stanza; its one argument is the customer.
const stanzaType = "ledger-customer"

// fileKeyLabel binds the sealed file key to its use.
const fileKeyLabel = "blob file key"

// recipient seals a blob's file key for a customer.
type recipient struct{ key datakeys.Key }

func (r recipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	return []*age.Stanza{{Type: stanzaType, Args: []string{r.key.Customer()}, Body: r.key.SealBytes(fileKey, fileKeyLabel)}}, nil
}

// identity opens a file key sealed for its customer.
type identity struct{ key datakeys.Key }

func (id identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, s := range stanzas {
		if s.Type != stanzaType || len(s.Args) != 1 || s.Args[0] != id.key.Customer() {
			continue
		}
		fileKey, err := id.key.OpenBytes(s.Body, fileKeyLabel)
		if err != nil {
			return nil, err
		}
		return fileKey, nil
	}
	return nil, fmt.Errorf("no file key sealed for customer %s: %w", id.key.Customer(), age.ErrIncorrectIdentity)
}
