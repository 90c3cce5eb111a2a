package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/eventstore/unseal"
	"github.com/interactionledger/ledger/internal/atomicfile"
)

// Files of an encrypted ledger in the data directory.
const (
	// dataKeysFile holds the customers' data keys, wrapped by the master
	// key: an encrypted ledger is one whose data directory has it.
	dataKeysFile = "datakeys.db"
	// masterKeyFile is where the master key is made when none is given;
	// production keeps it elsewhere (--master-key-file, LEDGER_MASTER_KEY).
	masterKeyFile = "master.key"
	// masterKeyEnv holds the master key itself (64 hex digits or base64).
	masterKeyEnv = "LEDGER_MASTER_KEY"
)

const masterKeyUsage = "file holding the master key that wraps customers' data keys, 64 hex digits (env LEDGER_MASTER_KEY_FILE; or the key itself in env " +
	masterKeyEnv + "); default: " + masterKeyFile + " in --data, made on a new ledger"

// addMasterKeyFlag adds --master-key-file.
func addMasterKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("master-key-file", envOr("LEDGER_MASTER_KEY_FILE", ""),
		masterKeyUsage)
}

// addNewLedgerFlags adds --master-key-file and --encrypt, for the
// commands that may make a new ledger; the key source is complete once
// fs is parsed.
func addNewLedgerFlags(fs *flag.FlagSet) *keySource {
	k := &keySource{keepClear: envOr("LEDGER_ENCRYPT", "true") == "false"}
	fs.StringVar(&k.file, "master-key-file", envOr("LEDGER_MASTER_KEY_FILE", ""),
		masterKeyUsage)
	fs.Var(encryptFlag{k}, "encrypt", "make a new ledger encrypting customers' personal data (env LEDGER_ENCRYPT; default true); --encrypt=false keeps it in clear, and nobody can be erased from it")
	return k
}

// encryptFlag is --encrypt, kept in keySource.keepClear. Its String is
// the value in force, so that `ledger config print` shows it.
type encryptFlag struct{ k *keySource }

func (f encryptFlag) IsBoolFlag() bool { return true }

func (f encryptFlag) String() string {
	if f.k == nil {
		return "true" // the zero Value flag.isZeroValue makes
	}
	return strconv.FormatBool(!f.k.keepClear)
}

func (f encryptFlag) Set(v string) error {
	on, err := strconv.ParseBool(v)
	if err != nil {
		return err
	}
	f.k.keepClear = !on
	return nil
}

// keySource says where to find the master key of the ledger in dir, and
// whether a new ledger there is kept in clear.
type keySource struct {
	dir       string
	file      string // --master-key-file; "" for the environment or the default
	keepClear bool   // --encrypt=false
}

// master loads the master key; with create set and no key anywhere, it
// makes one in the data directory. It returns nil and no error when there
// is no key and create is not set.
func (k keySource) master(create bool) (*datakeys.LocalMaster, error) {
	if k.file != "" {
		b, err := os.ReadFile(k.file)
		if err != nil {
			return nil, fmt.Errorf("--master-key-file: %w", err)
		}
		return datakeys.ParseMaster(string(b))
	}
	if v := os.Getenv(masterKeyEnv); v != "" {
		m, err := datakeys.ParseMaster(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", masterKeyEnv, err)
		}
		return m, nil
	}
	path := filepath.Join(k.dir, masterKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		return datakeys.ParseMaster(string(b))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("master key: %w", err)
	case !create:
		return nil, nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	if err := atomicfile.Create(path, []byte(hex.EncodeToString(secret)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("make a master key: %w", err)
	}
	slog.Warn("made a master key in the data directory; in production keep it apart from the ledger (--master-key-file or "+masterKeyEnv+")", "file", path)
	return datakeys.NewLocalMaster(secret)
}

// encrypted reports whether the ledger in dir keeps personal data sealed.
func encrypted(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, dataKeysFile))
	return err == nil
}

// openSealed returns raw read through its data keys (unseal.Store): the
// store every reader and the command layer of an encrypted ledger use.
// A ledger in clear is returned as it is, except that a new one (no event
// yet) is made encrypted when create is set. Verification, tree heads
// and serving the ledger to other nodes use raw, the ciphertext.
func openSealed(ctx context.Context, raw eventstore.Store, keys keySource, create bool) (eventstore.Store, error) {
	if !encrypted(keys.dir) {
		head, err := raw.HeadPosition(ctx)
		if err != nil {
			return nil, err
		}
		if !create {
			return raw, refuseWithoutKeys(ctx, raw, keys.dir, head)
		}
		if head > 0 {
			if err := refuseWithoutKeys(ctx, raw, keys.dir, head); err != nil {
				return nil, err
			}
			slog.Warn("this ledger keeps personal data in clear: customers cannot be erased from it until it is migrated to an encrypted copy (see README, Erasure)", "data", keys.dir)
			return raw, nil
		}
	}
	master, err := keys.master(create)
	if err != nil {
		return nil, err
	}
	if master == nil {
		return nil, fmt.Errorf("the ledger in %s is encrypted: give its master key with --master-key-file or %s", keys.dir, masterKeyEnv)
	}
	return sealedStore(ctx, raw, keys.dir, master)
}

// sealedSample is how many events at each end of a ledger are looked at
// for sealed fields: any encrypted ledger seals the first message it
// records, and a working one seals most of what it records each day.
const sealedSample = 4096

// refuseWithoutKeys fails when the ledger holds sealed fields although its
// data directory has no data keys (a restore that left datakeys.db
// behind): read, it would show ciphertext; written, it would record
// personal data in clear beside data that nobody could read.
func refuseWithoutKeys(ctx context.Context, raw eventstore.Store, dir string, head uint64) error {
	if head == 0 {
		return nil
	}
	for _, after := range []uint64{0, head - min(head, sealedSample)} {
		events, err := raw.ReadAll(ctx, after, sealedSample)
		if err != nil {
			return fmt.Errorf("look for sealed data: %w", err)
		}
		for _, e := range events {
			if datakeys.HoldsSealed(e.Data) {
				return fmt.Errorf("the ledger in %s holds encrypted personal data (%s@%d) but its data keys (%s) are missing: restore %s beside it from the same backup; started without it, the ledger would write personal data in clear",
					dir, e.Stream, e.Version, dataKeysFile, dataKeysFile)
			}
		}
	}
	return nil
}

// sealedStore wraps raw with the data keys in dir under master.
func sealedStore(ctx context.Context, raw eventstore.Store, dir string, master *datakeys.LocalMaster) (eventstore.Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	dk, err := datakeys.Open(ctx, filepath.Join(dir, dataKeysFile), master)
	if err != nil {
		return nil, err
	}
	nameKey, err := master.StreamNameKey()
	if err != nil {
		_ = dk.Close()
		return nil, err
	}
	return unseal.New(raw, dk, nameKey), nil
}

// openExistingSealed opens the existing ledger in keys.dir to read,
// through its data keys when it is encrypted.
func openExistingSealed(ctx context.Context, keys keySource) (eventstore.Store, error) {
	raw, err := openExistingStore(ctx, keys.dir)
	if err != nil {
		return nil, err
	}
	s, err := openSealed(ctx, raw, keys, false)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	return s, nil
}

// openSealedToWrite opens (creating if needed, encrypted when new) the
// ledger in keys.dir as its sole writer (see openStoreToWrite).
func openSealedToWrite(ctx context.Context, keys keySource) (eventstore.Store, error) {
	raw, err := openStoreToWrite(ctx, keys.dir, nil)
	if err != nil {
		return nil, err
	}
	s, err := openSealed(ctx, raw, keys, !keys.keepClear)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	return s, nil
}
