package outbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ReadLegacyCheckpoint reads a position from the SQLite checkpoint file
// that dispatchers kept before they ran on the one follower (whose
// checkpoint is a follow.FileCheckpoint): a data directory that still has
// one is migrated from it. found is false when the file holds no position
// under name.
func ReadLegacyCheckpoint(ctx context.Context, path, name string) (pos uint64, found bool, err error) {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	db, err := sql.Open("sqlite", "file:"+esc.Replace(path)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, false, fmt.Errorf("open checkpoint file %s: %w", path, err)
	}
	defer db.Close()
	var p int64
	err = db.QueryRowContext(ctx, `SELECT position FROM checkpoints WHERE name = ?`, name).Scan(&p)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("read checkpoint %s from %s: %w", name, path, err)
	}
	return uint64(p), true, nil
}
