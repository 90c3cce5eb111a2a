package main

import (
	"context"
	"encoding/json"
	"errors"
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
	signed, err := signTreeHead(ctx, store, *data, time.Now())
	if err != nil {
		return err
	}
	_, err = out.Write(signed)
	return err
}

// signTreeHead brings the tree log in dir up to the ledger and signs its
// head.
func signTreeHead(ctx context.Context, store eventstore.Store, dir string, now time.Time) ([]byte, error) {
	log, err := treehead.OpenLog(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	if err := log.CatchUp(ctx, store); err != nil {
		return nil, err
	}
	return log.SignHead(ctx, now)
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
	signed, err := signTreeHead(ctx, store, dir, time.Now())
	if err != nil {
		return inclusionProof{}, err
	}
	log, err := treehead.OpenLog(ctx, dir)
	if err != nil {
		return inclusionProof{}, err
	}
	defer log.Close()
	index, ok := log.IndexOf(id)
	if !ok {
		return inclusionProof{}, &exitError{code: 1, err: fmt.Errorf("event %s is not in the ledger", id)}
	}
	verifier, key, err := treeVerifier(dir)
	if err != nil {
		return inclusionProof{}, err
	}
	head, err := treehead.Open(signed, verifier)
	if err != nil {
		return inclusionProof{}, err
	}
	proof, err := log.Tree().InclusionProof(index, head.Size)
	if err != nil {
		return inclusionProof{}, err
	}
	e, err := eventAt(ctx, store, id)
	if err != nil {
		return inclusionProof{}, err
	}
	return inclusionProof{EventID: id, Stream: e.Stream, Version: e.Version, EventHash: e.Hash, LeafIndex: index, TreeSize: head.Size,
		Proof: proof, SignedHead: string(signed), PublicKey: key}, nil
}

// eventAt finds an event by id (a walk of $all: proofs are rare).
func eventAt(ctx context.Context, store eventstore.Store, id uuid.UUID) (eventstore.RecordedEvent, error) {
	after := uint64(0)
	for {
		page, err := store.ReadAll(ctx, after, 1000)
		if err != nil || len(page) == 0 {
			return eventstore.RecordedEvent{}, errors.Join(err, fmt.Errorf("event %s not found", id))
		}
		for _, e := range page {
			if e.ID == id {
				return e, nil
			}
		}
		after = page[len(page)-1].Position
	}
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
