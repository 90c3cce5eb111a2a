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
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/interactionledger/ledger/internal/diskfull"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// ErrErased is the error for a customer whose key was destroyed.
var ErrErased = errors.New("the customer's data was erased")

// MasterKey wraps and unwraps data keys; aad binds a wrapped key to its
// customer.
type MasterKey interface {
	Wrap(key, aad []byte) ([]byte, error)
	Unwrap(wrapped, aad []byte) ([]byte, error)
	// StreamNameKey is the key of the HMAC that names identity and
	// conversation streams (domain.StreamNames): the same on every node
	// that shares the master key, so they name streams alike.
	StreamNameKey() ([]byte, error)
}

// LocalMaster is a MasterKey held in memory: AES-256-GCM under 32 bytes
// read from a file or the environment.
type LocalMaster struct {
	aead    cipher.AEAD
	nameKey []byte
}

// NewLocalMaster returns the master key of 32 secret bytes.
func NewLocalMaster(secret []byte) (*LocalMaster, error) {
	if len(secret) != 32 {
		return nil, fmt.Errorf("master key: %d bytes, want 32", len(secret))
	}
	aead, err := newAEAD(secret)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("interaction ledger: stream names v1"))
	return &LocalMaster{aead: aead, nameKey: mac.Sum(nil)}, nil
}

// StreamNameKey implements MasterKey: an HMAC of a fixed label under the
// secret, so the secret itself never keys two things.
func (m *LocalMaster) StreamNameKey() ([]byte, error) { return m.nameKey, nil }

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

// Seal returns plaintext sealed for the key's customer, as text for JSON:
// "enc:v1:" + base64(nonce | ciphertext) + ":" + customer id. The text
// names its customer, so a reader finds the key without knowing the
// event; the customer id is the AAD, so a sealed value cannot be moved to
// another customer.
func (k Key) Seal(plaintext string) string {
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(seal(k.aead, []byte(plaintext), []byte(k.customer))) + ":" + k.customer
}

// Open returns the plaintext of a value Seal returned.
func (k Key) Open(sealed string) (string, error) {
	body, customer, ok := splitSealed(sealed)
	if !ok || customer != k.customer {
		return "", fmt.Errorf("not a value sealed for customer %s", k.customer)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return "", fmt.Errorf("sealed value of %s: %w", k.customer, err)
	}
	plain, err := open(k.aead, raw, []byte(k.customer))
	if err != nil {
		return "", fmt.Errorf("sealed value of %s: %w", k.customer, err)
	}
	return string(plain), nil
}

// SealBytes seals b for the key's customer as nonce | ciphertext, bound
// to label (what b is), so that it opens only as what it was sealed as.
func (k Key) SealBytes(b []byte, label string) []byte { return seal(k.aead, b, k.bytesAAD(label)) }

// OpenBytes returns what SealBytes sealed with the same label.
func (k Key) OpenBytes(sealed []byte, label string) ([]byte, error) {
	plain, err := open(k.aead, sealed, k.bytesAAD(label))
	if err != nil {
		return nil, fmt.Errorf("%s sealed for %s: %w", label, k.customer, err)
	}
	return plain, nil
}

// Customer is the customer the key belongs to.
func (k Key) Customer() string { return k.customer }

func (k Key) bytesAAD(label string) []byte { return []byte(k.customer + "\x00" + label) }

// SealedFor returns the customer a sealed value names; ok is false for a
// value that is not sealed.
func SealedFor(v string) (customer string, ok bool) {
	_, customer, ok = splitSealed(v)
	return customer, ok
}

func splitSealed(v string) (body, customer string, ok bool) {
	rest, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return "", "", false
	}
	body, customer, ok = strings.Cut(rest, ":")
	return body, customer, ok && customer != ""
}

// IsSealed reports whether a value is sealed.
func IsSealed(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

// HoldsSealed reports whether JSON event data holds a sealed string.
func HoldsSealed(data []byte) bool { return bytes.Contains(data, sealedQuoted) }

var sealedQuoted = []byte(`"` + sealedPrefix)

// Store keeps the wrapped data keys, and the unwrapped ones it used in
// memory (up to maxCached; erasures are remembered too, so that reading
// an erased customer's events does not ask the file each time).
type Store struct {
	db     *sql.DB
	master MasterKey
	mu     sync.Mutex
	keys   map[string]Key  // unwrapped, by customer
	erased map[string]bool // customers known erased
}

// maxCached bounds the unwrapped keys kept in memory (about 1 KiB each).
const maxCached = 100_000

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
	return &Store{db: db, master: master, keys: map[string]Key{}, erased: map[string]bool{}}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// ErrNoKey is the error for a customer who has no data key: nothing was
// ever sealed for them here.
var ErrNoKey = errors.New("no data key")

// KeyFor returns the customer's key, making one the first time; ErrErased
// once the customer was erased.
func (s *Store) KeyFor(ctx context.Context, customerID string) (Key, error) {
	return s.get(ctx, customerID, true)
}

// Lookup returns the customer's key without making one: ErrErased once
// the customer was erased, ErrNoKey when there never was one.
func (s *Store) Lookup(ctx context.Context, customerID string) (Key, error) {
	return s.get(ctx, customerID, false)
}

// Seal seals plaintext with the customer's key (made the first time).
func (s *Store) Seal(ctx context.Context, customerID, plaintext string) (string, error) {
	k, err := s.KeyFor(ctx, customerID)
	if err != nil {
		return "", err
	}
	return k.Seal(plaintext), nil
}

// Forget drops what the store remembers of a customer, so that the next
// use reads the file: another process may have erased them.
func (s *Store) Forget(customerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, customerID)
	delete(s.erased, customerID)
}

func (s *Store) get(ctx context.Context, customerID string, create bool) (Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[customerID]; ok {
		return k, nil
	}
	if s.erased[customerID] {
		return Key{}, fmt.Errorf("data key of %s: %w", customerID, ErrErased)
	}
	var wrapped []byte
	var erased sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT wrapped, erased_at FROM data_keys WHERE customer_id = ?`, customerID).Scan(&wrapped, &erased)
	switch {
	case errors.Is(err, sql.ErrNoRows) && create:
		return s.create(ctx, customerID)
	case errors.Is(err, sql.ErrNoRows):
		return Key{}, fmt.Errorf("data key of %s: %w", customerID, ErrNoKey)
	case err != nil:
		return Key{}, fmt.Errorf("data key of %s: %w", customerID, err)
	case erased.Valid:
		s.erased[customerID] = true
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
		// A full disk is "try again later" for whoever registers the
		// customer, as for the ledger's own appends.
		return Key{}, fmt.Errorf("data key of %s: %w", customerID, diskfull.Classify(err))
	}
	return s.remember(customerID, raw)
}

func (s *Store) remember(customerID string, raw []byte) (Key, error) {
	aead, err := newAEAD(raw)
	if err != nil {
		return Key{}, err
	}
	k := Key{customer: customerID, aead: aead}
	if len(s.keys) >= maxCached {
		clear(s.keys)
	}
	s.keys[customerID] = k
	return k, nil
}

// Erase destroys the customer's key for good: its row's key bytes are
// overwritten on disk (secure_delete), a tombstone stays, and the file is
// checkpointed so no copy of the key lingers in the write-ahead log.
func (s *Store) Erase(ctx context.Context, customerID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The file first: a failed write leaves the key usable in memory as
	// it still is on disk, instead of erased until the next restart.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO data_keys (customer_id, wrapped, created_at, erased_at) VALUES (?, NULL, ?, ?)
		ON CONFLICT (customer_id) DO UPDATE SET wrapped = NULL, erased_at = excluded.erased_at`, customerID, at.UnixNano(), at.UnixNano()); err != nil {
		return fmt.Errorf("erase the data key of %s: %w", customerID, err)
	}
	delete(s.keys, customerID)
	s.erased[customerID] = true
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

// Row is a data key as the file keeps it: wrapped by the master key, or
// a tombstone (Wrapped nil, ErasedAt set) once the customer was erased.
// Rows are what a replica ships: they never hold a key in clear.
type Row struct {
	Customer  string
	Wrapped   []byte
	CreatedAt int64 // Unix ns
	ErasedAt  int64 // Unix ns; 0 while not erased
}

// Changes counts the rows and the erasures: keys are only ever added and
// erased, never removed or unerased, so the count grows with every change
// and a reader that saw the same count has nothing new to read.
func (s *Store) Changes(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) + count(erased_at) FROM data_keys`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count data keys: %w", err)
	}
	return n, nil
}

// Rows returns every row, in customer order.
func (s *Store) Rows(ctx context.Context) ([]Row, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT customer_id, wrapped, created_at, erased_at FROM data_keys ORDER BY customer_id`)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var erased sql.NullInt64
		if err := rows.Scan(&r.Customer, &r.Wrapped, &r.CreatedAt, &erased); err != nil {
			return nil, fmt.Errorf("read data keys: %w", err)
		}
		r.ErasedAt = erased.Int64
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	return out, nil
}

// PutRows writes rows as they are (a restore from a replica), replacing
// the rows of the same customers, in one transaction. A tombstone keeps
// no key bytes whatever the row says.
func (s *Store) PutRows(ctx context.Context, rows []Row) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put data keys: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, r := range rows {
		wrapped, erased := r.Wrapped, sql.NullInt64{Int64: r.ErasedAt, Valid: r.ErasedAt != 0}
		if erased.Valid {
			wrapped = nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO data_keys (customer_id, wrapped, created_at, erased_at) VALUES (?, ?, ?, ?)`,
			r.Customer, wrapped, r.CreatedAt, erased); err != nil {
			return fmt.Errorf("put the data key of %s: %w", r.Customer, diskfull.Classify(err))
		}
		delete(s.keys, r.Customer)
		delete(s.erased, r.Customer)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put data keys: %w", diskfull.Classify(err))
	}
	return nil
}
