// Package datakeys owns the per-customer data keys of crypto-shredding:
// a customer's personal fields in events are sealed with their own key
// (AES-256-GCM), and destroying that key makes those fields unreadable
// for good while the events, their order and their hashes stay (the
// hashes cover the ciphertext).
//
// Keys are random, stored wrapped by a master key (MasterKey: a local key
// file now, a KMS later) in a SQLite file of their own beside the ledger,
// never in it. Erase deletes a customer's key with SQLite's secure_delete
// (the freed pages are zeroed) and keeps a tombstone, so that no new key
// is ever made for an erased customer.
package datakeys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// ErrErased is the error for a customer whose key was destroyed.
var ErrErased = errors.New("the customer's data was erased")

// MasterKey wraps and unwraps data keys; aad binds a wrapped key to its
// customer.
type MasterKey interface {
	Wrap(key, aad []byte) ([]byte, error)
	Unwrap(wrapped, aad []byte) ([]byte, error)
}

// LocalMaster is a MasterKey held in memory: AES-256-GCM under 32 bytes
// read from a file or the environment.
type LocalMaster struct{ aead cipher.AEAD }

// NewLocalMaster returns the master key of 32 secret bytes.
func NewLocalMaster(secret []byte) (*LocalMaster, error) {
	if len(secret) != 32 {
		return nil, fmt.Errorf("master key: %d bytes, want 32", len(secret))
	}
	aead, err := newAEAD(secret)
	if err != nil {
		return nil, err
	}
	return &LocalMaster{aead: aead}, nil
}

// Wrap implements MasterKey.
func (m *LocalMaster) Wrap(key, aad []byte) ([]byte, error) { return seal(m.aead, key, aad), nil }

// Unwrap implements MasterKey.
func (m *LocalMaster) Unwrap(wrapped, aad []byte) ([]byte, error) { return open(m.aead, wrapped, aad) }

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns nonce || ciphertext.
func seal(aead cipher.AEAD, plaintext, aad []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return aead.Seal(nonce, nonce, plaintext, aad)
}

func open(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("sealed data too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], aad)
}

// Key is one customer's data key.
type Key struct {
	customer string
	aead     cipher.AEAD
}

// sealedPrefix marks a sealed field in event data.
const sealedPrefix = "enc:v1:"

// Seal returns field sealed for the key's customer, as text for JSON;
// field names what it is (the AAD), so a sealed value cannot be moved to
// another field or customer.
func (k Key) Seal(field, plaintext string) string {
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(seal(k.aead, []byte(plaintext), k.aad(field)))
}

// Open returns the plaintext of a value Seal returned.
func (k Key) Open(field, sealed string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", fmt.Errorf("%s of %s is not sealed", field, k.customer)
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return "", fmt.Errorf("%s of %s: %w", field, k.customer, err)
	}
	plain, err := open(k.aead, raw, k.aad(field))
	if err != nil {
		return "", fmt.Errorf("%s of %s: %w", field, k.customer, err)
	}
	return string(plain), nil
}

// IsSealed reports whether a value is sealed.
func IsSealed(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

func (k Key) aad(field string) []byte { return []byte(k.customer + "\x00" + field) }

// Store keeps the wrapped data keys.
type Store struct {
	db     *sql.DB
	master MasterKey
	mu     sync.Mutex
	keys   map[string]Key // unwrapped, by customer
}

const schema = `
CREATE TABLE IF NOT EXISTS data_keys (
	customer_id TEXT PRIMARY KEY,
	wrapped     BLOB,            -- NULL once erased
	created_at  INTEGER NOT NULL,
	erased_at   INTEGER          -- Unix ns; set once erased
) WITHOUT ROWID`

// Open opens (creating if needed) the key store at path.
func Open(ctx context.Context, path string, master MasterKey) (*Store, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=secure_delete(ON)")
	if err != nil {
		return nil, fmt.Errorf("data keys %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("data keys %s: %w", path, err)
	}
	return &Store{db: db, master: master, keys: map[string]Key{}}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// KeyFor returns the customer's key, making one the first time; ErrErased
// once the customer was erased.
func (s *Store) KeyFor(ctx context.Context, customerID string) (Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[customerID]; ok {
		return k, nil
	}
	var wrapped []byte
	var erased sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT wrapped, erased_at FROM data_keys WHERE customer_id = ?`, customerID).Scan(&wrapped, &erased)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s.create(ctx, customerID)
	case err != nil:
		return Key{}, fmt.Errorf("data key of %s: %w", customerID, err)
	case erased.Valid:
		return Key{}, fmt.Errorf("data key of %s: %w", customerID, ErrErased)
	}
	raw, err := s.master.Unwrap(wrapped, []byte(customerID))
	if err != nil {
		return Key{}, fmt.Errorf("data key of %s: unwrap: %w", customerID, err)
	}
	return s.remember(customerID, raw)
}

func (s *Store) create(ctx context.Context, customerID string) (Key, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Key{}, err
	}
	wrapped, err := s.master.Wrap(raw, []byte(customerID))
	if err != nil {
		return Key{}, fmt.Errorf("data key of %s: wrap: %w", customerID, err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO data_keys (customer_id, wrapped, created_at) VALUES (?, ?, ?)`,
		customerID, wrapped, time.Now().UnixNano()); err != nil {
		return Key{}, fmt.Errorf("data key of %s: %w", customerID, err)
	}
	return s.remember(customerID, raw)
}

func (s *Store) remember(customerID string, raw []byte) (Key, error) {
	aead, err := newAEAD(raw)
	if err != nil {
		return Key{}, err
	}
	k := Key{customer: customerID, aead: aead}
	s.keys[customerID] = k
	return k, nil
}

// Erase destroys the customer's key for good: its row's key bytes are
// overwritten on disk (secure_delete), a tombstone stays, and the file is
// checkpointed so no copy of the key lingers in the write-ahead log.
func (s *Store) Erase(ctx context.Context, customerID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, customerID)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO data_keys (customer_id, wrapped, created_at, erased_at) VALUES (?, NULL, ?, ?)
		ON CONFLICT (customer_id) DO UPDATE SET wrapped = NULL, erased_at = excluded.erased_at`, customerID, at.UnixNano(), at.UnixNano()); err != nil {
		return fmt.Errorf("erase the data key of %s: %w", customerID, err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("erase the data key of %s: checkpoint: %w", customerID, err)
	}
	return nil
}

// ParseMaster reads a master key written as 64 hex digits or as base64
// (standard or URL alphabet, padded or not) of 32 bytes: the form of
// --master-key-file's content or of its environment variable.
func ParseMaster(text string) (*LocalMaster, error) {
	text = strings.TrimSpace(text)
	if b, err := hex.DecodeString(text); err == nil {
		return NewLocalMaster(b)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil {
			return NewLocalMaster(b)
		}
	}
	return nil, errors.New("master key: want 32 bytes as 64 hex digits or base64")
}
