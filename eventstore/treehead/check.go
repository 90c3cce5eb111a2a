package treehead

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/interactionledger/ledger/eventstore"
)

// CheckReport is what Check found.
type CheckReport struct {
	// Heads is how many signed heads were checked; Leaves how many leaves
	// the log recorded; Events how many events the ledger holds.
	Heads          int
	Leaves, Events uint64
	// Problems name what does not match, first found first; none when the
	// ledger is what the signed heads say.
	Problems []string
}

// OK reports whether nothing was found.
func (r CheckReport) OK() bool { return len(r.Problems) == 0 }

// Check compares the ledger in store with the log:
//
//   - every signed head must carry a valid signature by verifier, and its
//     root must be the root of the recorded leaves up to its size (else
//     the log itself was altered);
//   - the ledger's events must be the recorded leaves, in order: the
//     first event that differs is named (rewritten, or in the place of a
//     removed one), as is the first recorded event the ledger no longer
//     has (its newest events, or whole streams, removed);
//   - the ledger as it is now must prove each head consistent with the
//     next (RFC 6962 consistency proofs) and have each head's root at
//     its size.
//
// The error is for failures to read, not for what was found.
func Check(ctx context.Context, store eventstore.Store, log *Log, verifier note.Verifier) (CheckReport, error) {
	rep := CheckReport{Leaves: log.tree.Size()}
	if log.signingOnly {
		return rep, errFrontierOnly
	}
	heads, err := openHeads(ctx, log, verifier, &rep)
	if err != nil {
		return rep, err
	}
	current, err := readTree(ctx, store, log, &rep)
	if err != nil {
		return rep, err
	}
	rep.Events = current.Size()
	if rep.Events < rep.Leaves {
		i := rep.Events
		rep.Problems = append(rep.Problems, fmt.Sprintf("the ledger ends after %d events, the tree recorded %d: event %s (position %d when recorded) and the %d after it are missing",
			rep.Events, rep.Leaves, log.ids[i], log.positions[i], rep.Leaves-i-1))
	}
	checkAgainst(current, heads, &rep)
	return rep, nil
}

// openHeads checks the signed heads against the recorded leaves.
func openHeads(ctx context.Context, log *Log, verifier note.Verifier, rep *CheckReport) ([]Head, error) {
	signed, err := log.SignedHeads(ctx)
	if err != nil {
		return nil, err
	}
	var heads []Head
	for _, s := range signed {
		h, err := Open(s, verifier)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("a signed head does not verify: %v", err))
			continue
		}
		rep.Heads++
		root, rerr := log.tree.RootAt(h.Size)
		switch {
		case rerr != nil:
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s covers %d events, the tree recorded only %d: the tree log was altered", describe(h), h.Size, log.tree.Size()))
		case !bytes.Equal(root, h.Root):
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s does not match the recorded leaves: the tree log was altered", describe(h)))
		default:
			heads = append(heads, h)
		}
	}
	return heads, nil
}

// readTree builds the tree of the ledger as it is now, naming the first
// event that is not the recorded one.
func readTree(ctx context.Context, store eventstore.Store, log *Log, rep *CheckReport) (*Tree, error) {
	current := NewTree()
	after, reported := uint64(0), false
	for {
		page, err := store.ReadAll(ctx, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("tree check: read after %d: %w", after, err)
		}
		if len(page) == 0 {
			return current, nil
		}
		for _, e := range page {
			i, leaf := current.Size(), LeafHash(e)
			current.Append(leaf)
			if reported || i >= log.tree.Size() {
				continue
			}
			switch {
			case log.ids[i] != e.ID:
				rep.Problems = append(rep.Problems, fmt.Sprintf("position %d holds event %s (stream %s, version %d) where the tree recorded event %s (position %d): an event before it was removed, or this one inserted",
					e.Position, e.ID, e.Stream, e.Version, log.ids[i], log.positions[i]))
				reported = true
			case !bytes.Equal(leaf, log.tree.Leaf(i)):
				rep.Problems = append(rep.Problems, fmt.Sprintf("event %s at position %d (stream %s, version %d) is not the event the tree recorded: it was rewritten",
					e.ID, e.Position, e.Stream, e.Version))
				reported = true
			}
		}
		after = page[len(page)-1].Position
	}
}

// checkAgainst checks the heads against the ledger's tree as it is now.
func checkAgainst(current *Tree, heads []Head, rep *CheckReport) {
	for i, h := range heads {
		if h.Size > current.Size() {
			continue // reported as missing events
		}
		if root, _ := current.RootAt(h.Size); !bytes.Equal(root, h.Root) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("the ledger's first %d events no longer have the root of %s", h.Size, describe(h)))
			continue
		}
		if i == 0 {
			continue
		}
		prev := heads[i-1]
		p, err := current.ConsistencyProof(prev.Size, h.Size)
		if err == nil {
			err = VerifyConsistency(prev.Size, h.Size, p, prev.Root, h.Root)
		}
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s is not consistent with %s: %v", describe(h), describe(prev), err))
		}
	}
}

func describe(h Head) string {
	return fmt.Sprintf("the head signed at %s (size %d)", h.Time.UTC().Format(time.RFC3339), h.Size)
}
