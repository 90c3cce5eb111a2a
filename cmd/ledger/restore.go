package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/filecheckpoint"
	"github.com/interactionledger/ledger/policies/qa"
)

// runRestore is `ledger restore --from PATH --data DIR`: it restores a
// backup (or, with --from s3://..., a replica) into a staging directory
// beside DIR, checks it there (manifest, hash chains, tree heads), rebuilds
// the read models and only then moves it to DIR.
func runRestore(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("restore", out)
	from := fs.String("from", "", "a backup directory written by `ledger backup`, or an s3://... replica")
	asOfFlag := fs.String("as-of", "", "with an s3:// replica: restore the ledger as it was at this moment (RFC 3339)")
	quiet := fs.Bool("quiet", false, "no progress bars")
	masterKey := addMasterKeyFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return &exitError{code: 2, err: errors.New("restore: --from PATH (a backup directory or an s3:// replica) is required")}
	}
	replica := strings.HasPrefix(*from, "s3://")
	var asOf time.Time
	if *asOfFlag != "" {
		if !replica {
			return &exitError{code: 2, err: errors.New("restore: --as-of needs an s3:// replica; a backup holds one moment only")}
		}
		t, err := time.Parse(time.RFC3339Nano, *asOfFlag)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("restore: --as-of: want RFC 3339, such as 2026-12-06T09:30:00Z: %w", err)}
		}
		asOf = t
	}
	target := filepath.Clean(*data)
	if err := refuseLive(target); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(filepath.Dir(target), filepath.Base(target)+".restore-")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	err = restoreInto(ctx, staging, *from, asOf, replica, keySource{dir: staging, file: *masterKey}, *quiet, out)
	if err == nil {
		err = moveIntoPlace(staging, target)
	}
	if err != nil {
		_ = os.RemoveAll(staging)
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(out, "restored into %s; start `ledger serve --data %s`\n", target, target)
	return nil
}

// restoreInto fills staging from the backup or replica at from and checks
// it there.
func restoreInto(ctx context.Context, staging, from string, asOf time.Time, replica bool, keys keySource, quiet bool, out io.Writer) error {
	var m *manifest
	if replica {
		if err := restoreFromReplica(ctx, from, asOf, staging, out); err != nil {
			return err
		}
	} else {
		var err error
		if m, err = copyBackup(from, staging); err != nil {
			return err
		}
		fmt.Fprintf(out, "backup of %s: %d files match the manifest\n", m.Taken.Format(time.RFC3339), len(m.Files))
	}
	return checkRestored(ctx, staging, m, keys, quiet, out)
}

// refuseLive fails with exit status 2 unless dir is missing or empty: a
// restore never overwrites a ledger, least of all one a server holds.
func refuseLive(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, eventsFile)); err == nil {
		why := "it holds a ledger (" + eventsFile + ")"
		if writerHeld(filepath.Join(dir, eventsFile)) {
			why = "a running `ledger serve` holds its ledger"
		}
		return &exitError{code: 2, err: fmt.Errorf("restore: refusing to overwrite %s: %s; restore into a new directory, or stop the server and move the directory aside", dir, why)}
	}
	empty, err := emptyOrMissing(dir)
	switch {
	case err != nil:
		return &exitError{code: 2, err: fmt.Errorf("restore: --data %s: %w", dir, err)}
	case !empty:
		return &exitError{code: 2, err: fmt.Errorf("restore: refusing to restore into %s: it is not empty", dir)}
	}
	return nil
}

// writerHeld reports whether a process holds the ledger at path as its
// sole writer (the lock eventstore/sqlite takes beside the file).
func writerHeld(path string) bool {
	f, err := os.Open(path + "-writer.lock")
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	return errors.Is(err, syscall.EWOULDBLOCK)
}

// damagedError names the file of a backup that does not match its
// manifest.
type damagedError struct {
	file, why string
}

func (e *damagedError) Error() string {
	return fmt.Sprintf("the backup is damaged: %s %s", e.file, e.why)
}

// copyBackup reads the manifest of the backup in from and copies each
// file it lists to staging, checking its size and SHA-256 on the way.
func copyBackup(from, staging string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(from, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("read the backup's manifest: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, &damagedError{manifestFile, "is not JSON: " + err.Error()}
	}
	if m.Format != backupFormat {
		return nil, fmt.Errorf("the backup's format is %d; this ledger reads format %d", m.Format, backupFormat)
	}
	hasLedger := false
	for _, f := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return nil, &damagedError{manifestFile, fmt.Sprintf("names %q, outside the backup", f.Path)}
		}
		hasLedger = hasLedger || f.Path == eventsFile
		if err := copyChecked(filepath.Join(from, filepath.FromSlash(f.Path)), filepath.Join(staging, filepath.FromSlash(f.Path)), f); err != nil {
			return nil, err
		}
	}
	if !hasLedger {
		return nil, &damagedError{manifestFile, "lists no " + eventsFile}
	}
	return &m, nil
}

// copyChecked copies one file of a backup and checks it against the
// manifest.
func copyChecked(src, dst string, want manifestItem) error {
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return &damagedError{want.Path, "is missing"}
	}
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	o, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(o, h), in)
	if err == nil {
		err = o.Sync()
	}
	if cerr := o.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if n != want.Size {
		return &damagedError{want.Path, fmt.Sprintf("has %d bytes, the manifest says %d", n, want.Size)}
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != want.SHA256 {
		return &damagedError{want.Path, fmt.Sprintf("has SHA-256 %s, the manifest says %s", sum, want.SHA256)}
	}
	return nil
}

// checkRestored checks the ledger restored into staging: its head is the
// manifest's (when there is one), `verify` passes, the followers'
// checkpoints are at or behind the head; then it rebuilds the read models.
func checkRestored(ctx context.Context, staging string, m *manifest, keys keySource, quiet bool, out io.Writer) error {
	raw, err := openExistingStore(ctx, staging)
	if err != nil {
		return err
	}
	head, err := raw.HeadPosition(ctx)
	if err == nil && m != nil {
		err = checkHead(ctx, raw, head, m.Head)
	}
	if err == nil {
		err = verifyLedger(ctx, raw, "sqlite", staging, quiet, out)
	}
	if err == nil {
		err = settleCheckpoints(staging, head, out)
	}
	if err == nil && m == nil {
		err = seedFollowersAfterReplica(staging, head)
	}
	if err != nil {
		_ = raw.Close()
		return err
	}
	store, err := openSealed(ctx, raw, keys, false)
	if err != nil {
		_ = raw.Close()
		return err
	}
	defer store.Close()
	return rebuildReadModels(ctx, store, staging, quiet, out)
}

// checkHead checks that the manifest's head is the last event of the
// restored ledger: a backup whose events.db was swapped for another
// ledger, consistent in itself, passes every hash but not this.
func checkHead(ctx context.Context, raw eventstore.Store, head uint64, want manifestHead) error {
	if head != want.Position {
		return &damagedError{eventsFile, fmt.Sprintf("ends at position %d, the manifest's head is %d", head, want.Position)}
	}
	if head == 0 {
		return nil
	}
	last, err := raw.ReadAll(ctx, head-1, 1)
	if err != nil {
		return err
	}
	if len(last) != 1 || last[0].ID.String() != want.EventID || last[0].Hash != want.Hash {
		return &damagedError{eventsFile, fmt.Sprintf("does not end with the manifest's head, event %s with hash %s", want.EventID, want.Hash)}
	}
	return nil
}

// settleCheckpoints makes sure no restored follower skips work. A
// backup's checkpoints were copied before its ledger (see
// backupBeforeLedger), so they are at or behind its head; one beyond it
// would make a follower skip what is appended after the restore, and is
// set to the head. A replica brings no checkpoints: see
// seedFollowersAfterReplica.
func settleCheckpoints(dir string, head uint64, out io.Writer) error {
	for _, name := range []string{outboundCheckpointFile, notifyCheckpointFile, qa.CheckpointFile} {
		path := filepath.Join(dir, name)
		pos, found, err := filecheckpoint.Read(path)
		if err != nil {
			return err
		}
		if !found || pos <= head {
			continue
		}
		fmt.Fprintf(out, "warning: %s was at %d, beyond the restored head %d; set to the head\n", name, pos, head)
		if err := filecheckpoint.Write(path, head); err != nil {
			return err
		}
	}
	return nil
}

// moveIntoPlace renames the checked staging directory to target, which
// is missing or empty (refuseLive).
func moveIntoPlace(staging, target string) error {
	return moveDirIntoPlace(staging, target, refuseLive)
}

// seedFollowersAfterReplica sets where the followers with side effects
// begin on a ledger restored from a replica, which brings the events but
// none of their checkpoints or state files. Their first start would
// otherwise be at the head, which loses work the failed server had not
// done yet:
//   - the outbound dispatcher reads the whole ledger (position 0): each
//     reply's deliveries are events, so a settled reply is never sent
//     again, and one recorded but not yet delivered before the failure is
//     delivered now;
//   - the SLA policy rebuilds its clocks from the whole ledger without
//     reacting up to the restored head (its origin 0, its handover the
//     head), then fires what is due: the tickets open at the failure keep
//     their clocks;
//   - the wrap-up timer reads the whole ledger: each expiry's id derives
//     from its call's end, so one already recorded is not recorded again.
//
// The notification and QA policies start at the head, as on a first start:
// what they had not done in the last moments before the failure is not
// done (README, "Continuous replication").
func seedFollowersAfterReplica(dir string, head uint64) error {
	seeds := []struct {
		name string
		pos  uint64
	}{
		{outboundCheckpointFile, 0},
		{"sla" + originSeedSuffix, 0},
		{slaHandoverSeed, head},
		{"wrap-up" + originSeedSuffix, 0},
	}
	for _, s := range seeds {
		if err := filecheckpoint.Write(filepath.Join(dir, s.name), s.pos); err != nil {
			return fmt.Errorf("seed %s: %w", s.name, err)
		}
	}
	return nil
}
