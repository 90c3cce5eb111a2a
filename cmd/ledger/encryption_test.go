package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEncryptedLedgerWithoutItsKeysIsRefused: an encrypted ledger restored
// without datakeys.db is not taken for a ledger in clear: the server and
// the readers refuse it, naming the file to restore, and write nothing.
func TestEncryptedLedgerWithoutItsKeysIsRefused(t *testing.T) {
	dir := demoLedger(t)
	if err := os.Remove(filepath.Join(dir, dataKeysFile)); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openExistingSealed(t.Context(), keySource{dir: dir}); err == nil || !strings.Contains(err.Error(), dataKeysFile) {
		t.Fatalf("reading the ledger without its keys: %v, want an error naming %s", err, dataKeysFile)
	}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0"})
	if err == nil {
		_ = srv.shutdown(5e9)
		t.Fatal("the server started on an encrypted ledger without its data keys")
	}
	if !strings.Contains(err.Error(), dataKeysFile) {
		t.Fatalf("serve: %v, want an error naming %s", err, dataKeysFile)
	}
	if _, err := os.Stat(filepath.Join(dir, dataKeysFile)); err == nil {
		t.Fatalf("a new, empty %s was made", dataKeysFile)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "events.db"))
	if len(after) != len(before) {
		t.Errorf("the ledger changed size from %d to %d bytes", len(before), len(after))
	}

	clear := t.TempDir()
	if out, err := ledger(t, "demo", "--data", clear, "--encrypt=false", "--customers", "3", "--interactions", "3", "--quiet"); err != nil {
		t.Fatalf("demo in clear: %v\n%s", err, out)
	}
	store, err := openExistingSealed(t.Context(), keySource{dir: clear})
	if err != nil {
		t.Fatalf("a ledger in clear: %v", err)
	}
	store.Close()
}
