package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// TestAppendOnFullDiskIsUnavailableAndResumes fills the small tmpfs the
// store lives on: appends fail with an *eventstore.UnavailableError
// wrapping ErrStorageFull, not a bare driver error, and the same store
// (no reopen) appends again once the filler is deleted. Every append
// acknowledged before, during and after is read back and the hash chain
// verifies.
func TestAppendOnFullDiskIsUnavailableAndResumes(t *testing.T) {
	dir := smallTmpfs(t, "2m")
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "ledger.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	acked := 0
	appendOne := func() error {
		_, err := s.Append(ctx, fmt.Sprintf("s-%d", acked%7), eventstore.Any, []eventstore.EventData{{
			ID: uuid.New(), Type: "Filled", Schema: 1, Data: fmt.Appendf(nil, `{"n":%d,"pad":"%0512d"}`, acked, 0)}})
		if err == nil {
			acked++
		}
		return err
	}
	for range 20 {
		if err := appendOne(); err != nil {
			t.Fatal(err)
		}
	}
	filler := fillDisk(t, dir)
	var full error
	for range 5000 {
		if full = appendOne(); full != nil {
			break
		}
	}
	if full == nil {
		t.Fatal("5000 appends succeeded on a full disk")
	}
	if _, ok := eventstore.Unavailable(full); !ok || !errors.Is(full, eventstore.ErrStorageFull) {
		t.Fatalf("append on a full disk: %v (%T), want an UnavailableError of ErrStorageFull", full, errors.Unwrap(full))
	}
	t.Logf("full disk refused an append: %v", full)
	if err := appendOne(); err == nil {
		t.Log("an append succeeded on the full disk (space freed inside the WAL)")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if err := appendOne(); err != nil {
			t.Fatalf("append after space was freed, without reopening: %v", err)
		}
	}
	all, err := s.ReadAll(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != acked {
		t.Fatalf("%d events stored, %d appends acknowledged", len(all), acked)
	}
	if _, err := eventstore.Verify(ctx, s, nil); err != nil {
		t.Fatalf("verify after the full disk: %v", err)
	}
}

// smallTmpfs mounts a tmpfs of size on a temporary directory, unmounted
// at cleanup. It needs root: it fails under CI=true without it and skips
// otherwise.
func smallTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount a tmpfs (the test runs as root under CI): %v\n%s", err, out)
		}
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a filler file in dir until the file system is full and
// returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, errNoSpace) {
				t.Fatalf("fill: %v", err)
			}
			return path
		}
	}
}

var errNoSpace = syscall.ENOSPC
