// Package accounts keeps the people who sign in to the ledger's desktop:
// for each a subject (the token subject: for agents and supervisors their
// agent id), a role, a display name, an argon2id password hash and a
// disabled flag. They live in a small JSON file in the data directory
// (File, mode 0600, rewritten atomically under a lock), beside the ledger
// and never in it: an account is not a fact about customers, and a hash
// must be erasable.
package accounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/internal/atomicfile"
)

// File is the accounts file's name in the data directory.
const File = "users.json"

// Account is one person who may sign in.
type Account struct {
	Subject      string    `json:"subject"`
	Role         auth.Role `json:"role"`
	DisplayName  string    `json:"displayName"`
	PasswordHash string    `json:"passwordHash"`
	Disabled     bool      `json:"disabled"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// Errors of the store. ErrBadCredentials deliberately covers both an
// unknown subject and a wrong password.
var (
	ErrExists         = errors.New("an account with this subject exists already")
	ErrNotFound       = errors.New("no account has this subject")
	ErrBadCredentials = errors.New("wrong subject or password")
	ErrDisabled       = errors.New("the account is disabled")
	ErrFileMode       = errors.New("the accounts file is open to its group or others")
)

// maxDisplayName bounds a display name, in bytes.
const maxDisplayName = 200

// Validate checks an account's subject, role and display name.
func (a Account) Validate() error {
	if err := auth.ValidateSubject(a.Subject); err != nil {
		return err
	}
	if _, err := auth.ParseRole(string(a.Role)); err != nil {
		return err
	}
	if len(a.DisplayName) > maxDisplayName || strings.ContainsAny(a.DisplayName, "\r\n") {
		return fmt.Errorf("the display name must be one line of at most %d bytes", maxDisplayName)
	}
	return nil
}

// Store is the accounts file at one path. Every method reads the file
// afresh, so a running server sees what `ledger users` changed at its
// next login.
type Store struct {
	path string
	now  func() time.Time
}

// Open returns the store kept in path; an absent file holds no account.
func Open(path string) *Store { return &Store{path: path, now: time.Now} }

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

type fileFormat struct {
	Version  int       `json:"version"`
	Accounts []Account `json:"accounts"`
}

func (s *Store) read() ([]Account, error) {
	info, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %s; chmod 600 it", ErrFileMode, s.path, info.Mode().Perm())
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	var f fileFormat
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("accounts file %s: %w", s.path, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("accounts file %s: version %d, this build reads version 1", s.path, f.Version)
	}
	return f.Accounts, nil
}

// List returns every account, sorted by subject.
func (s *Store) List() ([]Account, error) {
	list, err := s.read()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b Account) int { return strings.Compare(a.Subject, b.Subject) })
	return list, nil
}

// Get returns subject's account, and whether there is one.
func (s *Store) Get(subject string) (Account, bool, error) {
	list, err := s.read()
	if err != nil {
		return Account{}, false, err
	}
	for _, a := range list {
		if a.Subject == subject {
			return a, true, nil
		}
	}
	return Account{}, false, nil
}

// Add creates an account with password (hashed here); ErrExists if its
// subject has one.
func (s *Store) Add(a Account, password string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.modify(func(list []Account) ([]Account, error) {
		for _, old := range list {
			if old.Subject == a.Subject {
				return nil, fmt.Errorf("%s: %w", a.Subject, ErrExists)
			}
		}
		now := s.now().UTC().Truncate(time.Second)
		a.PasswordHash, a.Created, a.Updated = hash, now, now
		return append(list, a), nil
	})
}

// Update changes subject's account with change; ErrNotFound if there is
// none.
func (s *Store) Update(subject string, change func(*Account) error) error {
	return s.modify(func(list []Account) ([]Account, error) {
		for i := range list {
			if list[i].Subject != subject {
				continue
			}
			a := list[i]
			if err := change(&a); err != nil {
				return nil, err
			}
			if err := a.Validate(); err != nil {
				return nil, err
			}
			a.Updated = s.now().UTC().Truncate(time.Second)
			list[i] = a
			return list, nil
		}
		return nil, fmt.Errorf("%s: %w", subject, ErrNotFound)
	})
}

// SetPassword replaces subject's password.
func (s *Store) SetPassword(subject, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.Update(subject, func(a *Account) error {
		a.PasswordHash = hash
		return nil
	})
}

// SetDisabled disables or enables subject's account.
func (s *Store) SetDisabled(subject string, disabled bool) error {
	return s.Update(subject, func(a *Account) error {
		a.Disabled = disabled
		return nil
	})
}

// Authenticate returns subject's account when password is its password
// and it is not disabled: ErrBadCredentials for an unknown subject or a
// wrong password (taking as long either way), ErrDisabled for a disabled
// account given its right password.
func (s *Store) Authenticate(subject, password string) (Account, error) {
	a, found, err := s.Get(subject)
	if err != nil {
		return Account{}, err
	}
	hash := dummyHash
	if found {
		hash = a.PasswordHash
	}
	if len(password) > MaxPasswordLength {
		password = password[:MaxPasswordLength] // still hashed: same time
	}
	match, err := VerifyPassword(password, hash)
	if err != nil && found {
		return Account{}, fmt.Errorf("%w (account %s: %v)", ErrBadCredentials, subject, err)
	}
	if !found || !match {
		return Account{}, ErrBadCredentials
	}
	if a.Disabled {
		return Account{}, ErrDisabled
	}
	return a, nil
}

// modify rewrites the file with change's result, under an exclusive lock
// so two writers do not lose each other's change.
func (s *Store) modify(change func([]Account) ([]Account, error)) error {
	lock, err := os.OpenFile(s.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("accounts: lock: %w", err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
	list, err := s.read()
	if err != nil {
		return err
	}
	list, err = change(list)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(fileFormat{Version: 1, Accounts: list}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
}
