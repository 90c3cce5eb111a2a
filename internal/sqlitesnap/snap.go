// Package sqlitesnap takes consistent copies of SQLite databases while
// other connections, in this process or another, go on writing them: the
// online backup of a data directory. It owns nothing but the copy.
package sqlitesnap

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Snapshot writes a copy of the database at src to dst, which must not
// exist, as of one moment. It uses VACUUM INTO: the copy is made inside
// one read transaction, so in WAL mode (every database of the ledger) it
// sees one committed state while writers carry on, and it never blocks
// them. The copy is a compact, self-contained file (no -wal beside it),
// fsynced before Snapshot returns.
func Snapshot(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("snapshot %s: %w", src, err)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("snapshot %s: %s exists", src, dst)
	}
	// Neither query_only nor mode=ro: VACUUM INTO writes (the new file),
	// and a read-only connection cannot open a WAL database whose -shm it
	// may not create.
	db, err := sql.Open("sqlite", uri(src, "_pragma=busy_timeout(10000)"))
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", src, err)
	}
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", dst)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// VACUUM INTO makes the file with the process's umask (often
		// 0644); a copy of a ledger or its keys is for the owner only.
		err = os.Chmod(dst, 0o600)
	}
	if err != nil {
		_ = os.Remove(dst)
		return fmt.Errorf("snapshot %s: %w", src, err)
	}
	return errors.Join(syncFile(dst), syncFile(filepath.Dir(dst)))
}

// uri builds a modernc.org/sqlite URI for path, escaping what a URI path
// cannot hold.
func uri(path string, params ...string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + esc.Replace(path) + "?" + strings.Join(params, "&")
}

// syncFile fsyncs a file or directory.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
