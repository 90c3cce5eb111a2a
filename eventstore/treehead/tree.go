// Package treehead owns the ledger's Merkle tree over $all, in the style
// of RFC 6962 / RFC 9162 (Certificate Transparency logs; Amazon QLDB's
// digests are the same idea), its signed tree heads, and the proofs that
// tie an event to a head (inclusion) and a head to a later one
// (consistency).
//
// Per-stream hash chains catch an event changed in place. They do not
// catch the newest events of a stream removed, or a whole stream, or
// chains rewritten end to end. A signed head fixes the whole ledger up to
// a size: any of those after the head changes the tree's root, and the
// leaves kept beside the heads name the first event that differs.
//
// The leaf of an event is SHA-256(0x00 || "ledger-leaf/v1" || id || hash):
// its id and its chain hash, which covers its stream, version, type,
// schema, data, metadata, recording time and the hash before it. The
// leaf's index is the event's place in $all, so a migrated copy (same ids,
// order and hashes, other positions) has the same tree.
package treehead

import (
	"crypto"
	_ "crypto/sha256" // the tree's hash
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/interactionledger/ledger/eventstore"
)

var hasher = rfc6962.New(crypto.SHA256)

// LeafHash is the tree's leaf for e.
func LeafHash(e eventstore.RecordedEvent) []byte {
	data := make([]byte, 0, 14+16+len(e.Hash))
	data = append(data, "ledger-leaf/v1"...)
	data = append(data, e.ID[:]...)
	data = append(data, e.Hash...)
	return hasher.HashLeaf(data)
}

// EmptyRoot is the root of the tree of no events.
func EmptyRoot() []byte { return hasher.EmptyRoot() }

var factory = &compact.RangeFactory{Hash: hasher.HashChildren}

// Tree is the Merkle tree of a ledger's first Size events, with every
// leaf kept, so that it can prove inclusions and consistency.
type Tree struct {
	// leaves are held by value: a ledger of millions of events keeps one
	// flat array, not millions of small allocations the garbage
	// collector has to walk.
	leaves [][HashSize]byte
	size   uint64
	// frontierOnly trees keep no leaves: enough for the root of the
	// whole tree (what a head signs), not for proofs.
	frontierOnly bool
	rng          *compact.Range
	// subtrees remembers the hashes of perfect subtrees of memoLevel
	// levels or more that proofs needed: many proofs share them.
	subtrees map[compact.NodeID][]byte
}

// memoLevel is the lowest level of subtrees a Tree remembers (256
// leaves): below it recomputing is cheap and remembering costly.
const memoLevel = 8

// NewTree returns the empty tree.
func NewTree() *Tree {
	return &Tree{rng: factory.NewEmptyRange(0), subtrees: map[compact.NodeID][]byte{}}
}

// newFrontier returns the empty tree that keeps only what its root needs
// (log2 of its size hashes): it can sign heads, not prove.
func newFrontier() *Tree {
	t := NewTree()
	t.frontierOnly = true
	return t
}

// errFrontierOnly is what a tree without its leaves answers a proof.
var errFrontierOnly = errors.New("treehead: this tree keeps no leaves (opened to sign heads only)")

// HashSize is the size of a leaf hash (SHA-256).
const HashSize = 32

// Append adds the next leaf, a hash of HashSize bytes.
func (t *Tree) Append(leaf []byte) {
	if len(leaf) != HashSize {
		panic(fmt.Sprintf("treehead: a leaf hash of %d bytes", len(leaf)))
	}
	if !t.frontierOnly {
		t.leaves = append(t.leaves, [HashSize]byte(leaf))
	}
	t.size++
	_ = t.rng.Append(leaf, nil) // cannot fail: the range starts at 0
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.size }

// Leaf returns leaf i.
func (t *Tree) Leaf(i uint64) []byte { return t.leaves[i][:] }

// Root is the root of the whole tree.
func (t *Tree) Root() []byte {
	if t.size == 0 {
		return EmptyRoot()
	}
	root, err := t.rng.GetRootHash(nil)
	if err != nil {
		panic(err) // a range from 0 always has a root
	}
	return root
}

// perfectRoot is the hash of the perfect subtree over leaves [begin,
// end).
func (t *Tree) perfectRoot(begin, end uint64) []byte {
	r := factory.NewEmptyRange(begin)
	for i := range t.leaves[begin:end] {
		_ = r.Append(t.leaves[begin+uint64(i)][:], nil)
	}
	return r.Hashes()[0] // one node covers a perfect subtree
}

// RootAt is the root of the tree of the first size leaves.
func (t *Tree) RootAt(size uint64) ([]byte, error) {
	if size > t.Size() {
		return nil, fmt.Errorf("tree of %d leaves has no root at size %d", t.Size(), size)
	}
	if t.frontierOnly {
		return nil, errFrontierOnly
	}
	if size == 0 {
		return EmptyRoot(), nil
	}
	// The root folds the perfect subtrees covering the prefix, from the
	// right.
	ids := compact.RangeNodes(0, size, nil)
	root := t.subtree(ids[len(ids)-1])
	for i := len(ids) - 2; i >= 0; i-- {
		root = hasher.HashChildren(t.subtree(ids[i]), root)
	}
	return root, nil
}

// InclusionProof proves leaf index in the tree of the first size leaves.
func (t *Tree) InclusionProof(index, size uint64) ([][]byte, error) {
	if size > t.Size() {
		return nil, fmt.Errorf("tree of %d leaves cannot prove at size %d", t.Size(), size)
	}
	if t.frontierOnly {
		return nil, errFrontierOnly
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	return t.rehash(nodes)
}

// ConsistencyProof proves that the tree of size2 leaves extends the tree
// of size1 leaves.
func (t *Tree) ConsistencyProof(size1, size2 uint64) ([][]byte, error) {
	if size2 > t.Size() {
		return nil, fmt.Errorf("tree of %d leaves cannot prove at size %d", t.Size(), size2)
	}
	if t.frontierOnly {
		return nil, errFrontierOnly
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return t.rehash(nodes)
}

func (t *Tree) rehash(nodes proof.Nodes) ([][]byte, error) {
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		hashes[i] = t.subtree(id)
	}
	return nodes.Rehash(hashes, hasher.HashChildren)
}

// subtree is the hash of a perfect subtree within the tree.
func (t *Tree) subtree(id compact.NodeID) []byte {
	if id.Level == 0 {
		return t.leaves[id.Index][:]
	}
	if id.Level < memoLevel {
		begin, end := id.Coverage()
		return t.perfectRoot(begin, end)
	}
	if h, ok := t.subtrees[id]; ok {
		return h
	}
	h := hasher.HashChildren(t.subtree(compact.NewNodeID(id.Level-1, 2*id.Index)), t.subtree(compact.NewNodeID(id.Level-1, 2*id.Index+1)))
	t.subtrees[id] = h
	return h
}

// VerifyInclusion checks that leaf is leaf index of the tree of size
// leaves whose root is root.
func VerifyInclusion(index, size uint64, leaf []byte, p [][]byte, root []byte) error {
	return proof.VerifyInclusion(hasher, index, size, leaf, p, root)
}

// VerifyConsistency checks that the tree of size2 leaves with root2
// extends the tree of size1 leaves with root1.
func VerifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 []byte) error {
	return proof.VerifyConsistency(hasher, size1, size2, p, root1, root2)
}
