package sqlite

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
)

// TestReadPoolMapsTheFile: every connection of the read pool reads the
// database through a memory map of readMmapBytes (see openReadPool); the
// writer does not map it.
func TestReadPoolMapsTheFile(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "ledger.db"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var reader, writer int64
	if err := s.rdb.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&reader); err != nil {
		t.Fatal(err)
	}
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA mmap_size").Scan(&writer); err != nil {
		t.Fatal(err)
	}
	if reader != readMmapBytes || writer != 0 {
		t.Errorf("mmap_size: readers %d, writer %d; want %d and 0", reader, writer, readMmapBytes)
	}
}
