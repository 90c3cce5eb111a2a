package datakeys_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore/datakeys"
)

func master(t *testing.T) *datakeys.LocalMaster {
	t.Helper()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	m, err := datakeys.NewLocalMaster(secret)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSealOpenAndErase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "datakeys.db")
	m := master(t)
	s, err := datakeys.Open(t.Context(), path, m)
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.KeyFor(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	const name = "李雷 +8613800138000"
	sealed := k.Seal(name)
	if !datakeys.IsSealed(sealed) || strings.Contains(sealed, "8613800138000") {
		t.Fatalf("sealed %q", sealed)
	}
	if c, ok := datakeys.SealedFor(sealed); !ok || c != "c1" {
		t.Fatalf("SealedFor = %q, %v; want c1", c, ok)
	}
	if again := k.Seal(name); again == sealed {
		t.Fatal("two seals of one value are equal: the nonce is reused")
	}
	if got, err := k.Open(sealed); err != nil || got != name {
		t.Fatalf("open: %q, %v", got, err)
	}
	other, _ := s.KeyFor(t.Context(), "c2")
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("another customer's key opened the value")
	}
	// Renaming the customer in the text does not move it to them: the
	// customer id is authenticated.
	moved := strings.TrimSuffix(sealed, "c1") + "c2"
	if _, err := other.Open(moved); err == nil {
		t.Fatal("a value sealed for c1 opened as c2's")
	}
	if _, err := s.Lookup(t.Context(), "c3"); !errors.Is(err, datakeys.ErrNoKey) {
		t.Fatalf("Lookup of a customer without a key: %v, want ErrNoKey", err)
	}
	// The key survives a restart, unwrapped by the same master key.
	s.Close()
	if s, err = datakeys.Open(t.Context(), path, m); err != nil {
		t.Fatal(err)
	}
	k, err = s.KeyFor(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(sealed); err != nil || got != name {
		t.Fatalf("open after a restart: %q, %v", got, err)
	}
	// Another master key cannot unwrap it.
	wrong, _ := datakeys.Open(t.Context(), path, master(t))
	if _, err := wrong.KeyFor(t.Context(), "c1"); err == nil {
		t.Fatal("another master key unwrapped the data key")
	}
	wrong.Close()

	wrapped := wrappedKey(t, path, "c1")
	if !bytes.Contains(fileBytes(t, dir), wrapped) {
		t.Fatal("the test cannot find the wrapped key in the files before the erasure")
	}
	if err := s.Erase(t.Context(), "c1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyFor(t.Context(), "c1"); !errors.Is(err, datakeys.ErrErased) {
		t.Fatalf("key of an erased customer: %v, want ErrErased", err)
	}
	if _, err := s.Lookup(t.Context(), "c1"); !errors.Is(err, datakeys.ErrErased) {
		t.Fatalf("Lookup of an erased customer: %v, want ErrErased", err)
	}
	s.Close()
	if s, err = datakeys.Open(t.Context(), path, m); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.KeyFor(t.Context(), "c1"); !errors.Is(err, datakeys.ErrErased) {
		t.Fatalf("after a restart, key of an erased customer: %v, want ErrErased (a new key must never be made)", err)
	}
	if _, err := s.KeyFor(t.Context(), "c2"); err != nil {
		t.Fatalf("the other customer's key: %v", err)
	}
	if bytes.Contains(fileBytes(t, dir), wrapped) {
		t.Fatal("the erased customer's wrapped key is still in the key store's files")
	}
}

func wrappedKey(t *testing.T, path, customer string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var w []byte
	if err := db.QueryRow(`SELECT wrapped FROM data_keys WHERE customer_id = ?`, customer).Scan(&w); err != nil {
		t.Fatal(err)
	}
	return w
}

// fileBytes is everything the key store's files hold.
func fileBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil {
			all = append(all, b...)
		}
	}
	return all
}

func TestParseMaster(t *testing.T) {
	hex64 := strings.Repeat("ab", 32)
	cases := []struct {
		name, text string
		ok         bool
	}{
		{"hex", hex64, true},
		{"hex with a newline", hex64 + "\n", true},
		{"base64", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", true},
		{"base64 unpadded", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s", true},
		{"too short", strings.Repeat("ab", 16), false},
		{"not a key", "correct horse battery staple", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datakeys.ParseMaster(tc.text)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseMaster(%q) = %v, want ok %v", tc.text, err, tc.ok)
			}
		})
	}
}

// FuzzOpen: sealed values come from event data, outside input to a
// reader; opening never panics, and only what was sealed opens.
func FuzzOpen(f *testing.F) {
	s, err := datakeys.Open(f.Context(), filepath.Join(f.TempDir(), "k.db"), masterF(f))
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	k, _ := s.KeyFor(f.Context(), "c1")
	f.Add(k.Seal("hello"))
	f.Add("enc:v1:")
	f.Add("enc:v1:AAAA")
	f.Fuzz(func(t *testing.T, v string) {
		if got, err := k.Open(v); err == nil && got != "hello" {
			t.Fatalf("opened %q to %q, which was never sealed", v, got)
		}
	})
}

func masterF(f *testing.F) *datakeys.LocalMaster {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	m, err := datakeys.NewLocalMaster(secret)
	if err != nil {
		f.Fatal(err)
	}
	return m
}

// TestFailedEraseKeepsTheKey: an erasure the key file did not take leaves
// the key in use, as the file still holds it, rather than erased in memory
// until the next restart brings it back.
func TestFailedEraseKeepsTheKey(t *testing.T) {
	s, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "keys.db"), master(t))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal(t.Context(), "c1", "Li Lei")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Erase(t.Context(), "c1", time.Now()); err == nil {
		t.Fatal("erasing with the key file closed succeeded")
	}
	k, err := s.Lookup(t.Context(), "c1")
	if err != nil {
		t.Fatalf("after a failed erasure the key reads %v, want the key still in use", err)
	}
	if got, err := k.Open(sealed); err != nil || got != "Li Lei" {
		t.Fatalf("open after a failed erasure: %q, %v", got, err)
	}
}

// TestRowsCopyKeysAndErasures: the rows of one file put into another give
// a store that opens what the first sealed and keeps its erasures, and
// Changes grows with every new key and every erasure.
func TestRowsCopyKeysAndErasures(t *testing.T) {
	m := master(t)
	src, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "datakeys.db"), m)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	counts := func() int64 {
		n, err := src.Changes(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := counts()
	sealed, err := src.Seal(t.Context(), "c1", "Ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.KeyFor(t.Context(), "c2"); err != nil {
		t.Fatal(err)
	}
	afterKeys := counts()
	if err := src.Erase(t.Context(), "c2", time.Unix(100, 0)); err != nil {
		t.Fatal(err)
	}
	afterErase := counts()
	if !(before < afterKeys && afterKeys < afterErase) {
		t.Fatalf("Changes %d, %d, %d: want it to grow with keys and erasures", before, afterKeys, afterErase)
	}
	rows, err := src.Rows(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].Customer != "c2" || rows[1].Wrapped != nil || rows[1].ErasedAt != time.Unix(100, 0).UnixNano() {
		t.Fatalf("rows %+v", rows)
	}
	dst, err := datakeys.Open(t.Context(), filepath.Join(t.TempDir(), "datakeys.db"), m)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	// A tombstone that still carries bytes is stored without them.
	rows[1].Wrapped = rows[0].Wrapped
	if err := dst.PutRows(t.Context(), rows); err != nil {
		t.Fatal(err)
	}
	k, err := dst.Lookup(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(sealed); err != nil || got != "Ada" {
		t.Fatalf("open in the copy: %q, %v", got, err)
	}
	if _, err := dst.Lookup(t.Context(), "c2"); !errors.Is(err, datakeys.ErrErased) {
		t.Fatalf("erased customer in the copy: %v, want ErrErased", err)
	}
	copied, _ := dst.Rows(t.Context())
	if copied[1].Wrapped != nil {
		t.Fatal("the copy's tombstone keeps key bytes")
	}
}
