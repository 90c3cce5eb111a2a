package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/interactionledger/ledger/internal/atomicfile"
)

// RevocationsFile is the name of the revocation list in the data
// directory, beside the ledger and outside it: revoking a token is not a
// fact about customers.
const RevocationsFile = "token-revocations.json"

// Revocations is the per-subject "not before" list: a token of a subject
// minted at or before the second its subject was revoked is refused.
// It lives in a small JSON file ({"subject": "RFC 3339 time"}), rewritten
// atomically (mode 0600) under a lock by Revoke, and re-read by every
// process using it when the file changes, so `ledger token revoke`
// reaches a running server at its next request.
type Revocations struct {
	path string

	mu sync.Mutex
	// read is the file as it was when last read (every Revoke writes a
	// new file, so a new inode tells a change even within one mtime
	// tick); nil when it did not exist.
	read      os.FileInfo
	notBefore map[string]time.Time
}

// OpenRevocations returns the list kept in path; an absent file is an
// empty list.
func OpenRevocations(path string) (*Revocations, error) {
	r := &Revocations{path: path}
	if _, err := r.NotBefore(""); err != nil {
		return nil, err
	}
	return r, nil
}

// NotBefore returns the moment subject's tokens were last revoked, zero if
// never.
func (r *Revocations) NotBefore(subject string) (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.refresh(); err != nil {
		return time.Time{}, err
	}
	return r.notBefore[subject], nil
}

// refresh re-reads the file when it changed since the last read.
func (r *Revocations) refresh() error {
	info, err := os.Stat(r.path)
	if errors.Is(err, fs.ErrNotExist) {
		r.notBefore, r.read = map[string]time.Time{}, nil
		return nil
	}
	if err != nil {
		return fmt.Errorf("token revocations: %w", err)
	}
	if r.notBefore != nil && r.read != nil && os.SameFile(info, r.read) &&
		info.ModTime().Equal(r.read.ModTime()) && info.Size() == r.read.Size() {
		return nil
	}
	list, err := readRevocations(r.path)
	if err != nil {
		return err
	}
	r.notBefore, r.read = list, info
	return nil
}

func readRevocations(path string) (map[string]time.Time, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]time.Time{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("token revocations: %w", err)
	}
	list := map[string]time.Time{}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("token revocations %s: %w", path, err)
	}
	return list, nil
}

// Revoke records that subject's tokens minted up to at are no longer
// valid. Stamps older than MaxTokenTTL are dropped as it writes: every
// token they refused has expired since.
func (r *Revocations) Revoke(subject string, at time.Time) error {
	if err := ValidateSubject(subject); err != nil {
		return err
	}
	lock, err := os.OpenFile(r.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("token revocations: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("token revocations: lock: %w", err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
	list, err := readRevocations(r.path)
	if err != nil {
		return err
	}
	for s, t := range list {
		if at.Sub(t) > MaxTokenTTL+clockSkew {
			delete(list, s)
		}
	}
	if at.After(list[subject]) {
		list[subject] = at.UTC()
	}
	b, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(r.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("token revocations: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notBefore = nil // re-read at the next check
	return nil
}
