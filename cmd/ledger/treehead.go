package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/treehead"
)

// runTreeHead signs a tree head of the ledger now (they are also signed
// by `ledger serve` every --tree-head-every) and prints it.
func runTreeHead(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("tree-head", out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openExistingStore(ctx, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	tree, err := signTree(ctx, store, *data)
	if err != nil {
		return err
	}
	defer tree.log.Close()
	_, err = out.Write(tree.signed)
	return err
}

// signedTree is the tree log in a data directory brought up to the
// ledger, with a head signed now, opened with the directory's verifier
// key: what tree-head, prove and audit export work from.
type signedTree struct {
	log    *treehead.Log
	signed []byte
	head   treehead.Head
	key    string // the verifier key's text
}

// signTree opens the tree log in dir, brings it up to store and signs
// its head. The caller closes the log.
func signTree(ctx context.Context, store eventstore.Store, dir string) (*signedTree, error) {
	log, err := treehead.OpenLog(ctx, dir) // makes the key pair the first time
	if err != nil {
		return nil, err
	}
	t, err := signLog(ctx, store, dir, log)
	if err != nil {
		_ = log.Close()
		return nil, err
	}
	return t, nil
}

func signLog(ctx context.Context, store eventstore.Store, dir string, log *treehead.Log) (*signedTree, error) {
	verifier, key, err := treeVerifier(dir)
	if err != nil {
		return nil, err
	}
	if err := log.CatchUp(ctx, store); err != nil {
		return nil, err
	}
	signed, err := log.SignHead(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	head, err := treehead.Open(signed, verifier)
	if err != nil {
		return nil, err
	}
	return &signedTree{log: log, signed: signed, head: head, key: key}, nil
}

// prove returns the inclusion proof of the event id in the signed head.
func (t *signedTree) prove(id uuid.UUID) (uint64, [][]byte, error) {
	index, ok := t.log.IndexOf(id)
	if !ok || index >= t.head.Size {
		return 0, nil, &exitError{code: 1, err: fmt.Errorf("event %s is not in the signed tree", id)}
	}
	proof, err := t.log.Tree().InclusionProof(index, t.head.Size)
	return index, proof, err
}

// inclusionProof is what `ledger prove` prints and `ledger verify-proof`
// checks: an event's leaf, where it is in the tree, the proof, and the
// signed head it is proved against, with the key that signed it.
type inclusionProof struct {
	EventID    uuid.UUID `json:"eventId"`
	Stream     string    `json:"stream"`
	Version    int64     `json:"version"`
	EventHash  string    `json:"eventHash"`
	LeafIndex  uint64    `json:"leafIndex"`
	TreeSize   uint64    `json:"treeSize"`
	Proof      [][]byte  `json:"proof"`
	SignedHead string    `json:"signedHead"`
	PublicKey  string    `json:"publicKey"`
}

// runProve prints the inclusion proof of an event in the newest signed
// head that covers it.
func runProve(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("prove", out)
	eventID := fs.String("event", "", "id of the event to prove")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := uuid.Parse(*eventID)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--event %q: %w", *eventID, err)}
	}
	store, err := openExistingStore(ctx, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := proveEvent(ctx, store, *data, id)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

func proveEvent(ctx context.Context, store eventstore.Store, dir string, id uuid.UUID) (inclusionProof, error) {
	tree, err := signTree(ctx, store, dir)
	if err != nil {
		return inclusionProof{}, err
	}
	defer tree.log.Close()
	index, proof, err := tree.prove(id)
	if err != nil {
		return inclusionProof{}, err
	}
	// The leaf's position, when recorded: ReadAll after the one before
	// starts at the event.
	page, err := store.ReadAll(ctx, tree.log.Position(index)-1, 1)
	if err != nil {
		return inclusionProof{}, err
	}
	if len(page) == 0 || page[0].ID != id {
		return inclusionProof{}, fmt.Errorf("event %s is no longer at position %d: run ledger verify", id, tree.log.Position(index))
	}
	e := page[0]
	return inclusionProof{EventID: id, Stream: e.Stream, Version: e.Version, EventHash: e.Hash, LeafIndex: index, TreeSize: tree.head.Size,
		Proof: proof, SignedHead: string(tree.signed), PublicKey: tree.key}, nil
}

// treeVerifier reads the tree heads' verifier key from dir.
func treeVerifier(dir string) (v note.Verifier, key string, err error) {
	b, err := os.ReadFile(filepath.Join(dir, treehead.VerifierKeyFile))
	if err != nil {
		return nil, "", fmt.Errorf("tree head verifier key: %w", err)
	}
	v, err = treehead.ParseVerifier(string(b))
	return v, string(b), err
}

// runVerifyProof checks an inclusion proof offline: the head's signature
// (by --key, else by the key the proof carries), then that the event's
// leaf is in the signed tree.
func runVerifyProof(_ context.Context, args []string, out io.Writer) error {
	raw, keyFile, err := offlineCheck("verify-proof", "PROOF.json", args, out)
	if err != nil {
		return err
	}
	var p inclusionProof
	if err := json.Unmarshal(raw, &p); err != nil {
		return &exitError{code: 1, err: fmt.Errorf("proof: %w", err)}
	}
	key, err := trustedKey(keyFile, p.PublicKey)
	if err != nil {
		return err
	}
	if err := checkInclusion(p, key); err != nil {
		fmt.Fprintf(out, "FAILED: %v\n", err)
		return &exitError{code: 1, err: err}
	}
	fmt.Fprintf(out, "OK: event %s (stream %s, version %d) is leaf %d of the tree of %d events signed in the head\n", p.EventID, p.Stream, p.Version, p.LeafIndex, p.TreeSize)
	return nil
}

// offlineCheck parses the arguments of a command that checks a file
// offline (verify-proof, audit verify): --key and the file, whose bytes
// it returns with the key file named ("" for none).
func offlineCheck(name, file string, args []string, out io.Writer) (raw []byte, keyFile string, err error) {
	fs, _ := newFlagSet(name, out)
	key := fs.String("key", "", "the tree heads' verifier key you trust (treehead.pub); without it the key in the file is used, which proves only that the file is consistent")
	if err := fs.Parse(args); err != nil {
		return nil, "", err
	}
	if fs.NArg() != 1 {
		return nil, "", &exitError{code: 2, err: fmt.Errorf("usage: ledger %s [--key treehead.pub] %s (- for standard input)", name, file)}
	}
	raw, err = readInput(fs.Arg(0))
	return raw, *key, err
}

// trustedKey is the verifier key to check with: the one in keyFile when
// given, else the one the checked file carries.
func trustedKey(keyFile, carried string) (string, error) {
	if keyFile == "" {
		return carried, nil
	}
	b, err := os.ReadFile(keyFile)
	return string(b), err
}

func checkInclusion(p inclusionProof, key string) error {
	verifier, err := treehead.ParseVerifier(key)
	if err != nil {
		return err
	}
	head, err := treehead.Open([]byte(p.SignedHead), verifier)
	if err != nil {
		return err
	}
	if head.Size != p.TreeSize {
		return fmt.Errorf("the proof is for a tree of %d events, the signed head covers %d", p.TreeSize, head.Size)
	}
	leaf := treehead.LeafHash(eventstore.RecordedEvent{ID: p.EventID, Hash: p.EventHash})
	if err := treehead.VerifyInclusion(p.LeafIndex, p.TreeSize, leaf, p.Proof, head.Root); err != nil {
		return fmt.Errorf("event %s is not in the signed tree: %w", p.EventID, err)
	}
	return nil
}

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}
