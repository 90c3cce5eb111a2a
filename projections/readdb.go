package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DefaultReadConns is the size of the read database's query pool.
const DefaultReadConns = 4

// ReadDB is the read database: one SQLite file holding every read model and
// the projections' checkpoints. It has one write connection, used only by
// the Runner, and a pool of read-only connections for queries; WAL lets the
// queries run concurrently with the runner, each on a consistent snapshot.
type ReadDB struct {
	path string
	w    *sql.DB // exactly one connection: the runner's batches
	r    *sql.DB // read-only pool for queries
}

// OpenReadDB opens (creating if needed) the read database at path and
// creates the checkpoint table and the standard read models' tables. A
// read model whose schema changed since it was built is dropped and
// re-created empty with its checkpoint at 0, so the next Runner.Run
// rebuilds it from the log.
func OpenReadDB(ctx context.Context, path string) (*ReadDB, error) {
	db := &ReadDB{path: path}
	if err := db.open(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open read database %s: %w", path, err), db.Close())
	}
	if err := db.recoverBulkLoad(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open read database %s: %w", path, err), db.Close())
	}
	if _, err := db.ensureSchema(ctx, Standard()); err != nil {
		return nil, errors.Join(fmt.Errorf("open read database %s: %w", path, err), db.Close())
	}
	return db, nil
}

// writePragmas configure the write connection. synchronous=NORMAL does not
// fsync at commit: read models are rebuildable and each projection
// checkpoint commits with its changes, so a crash rolls both back together.
var writePragmas = []string{
	"PRAGMA page_size = 16384", // only takes effect on a new file, before WAL
	"PRAGMA journal_mode = WAL",
	"PRAGMA synchronous = NORMAL",
	"PRAGMA cache_size = -65536", // KiB
	"PRAGMA temp_store = MEMORY",
}

func (db *ReadDB) open(ctx context.Context) error {
	var err error
	db.w, err = sql.Open("sqlite", dsn(db.path, "_pragma=busy_timeout(10000)", "_txlock=immediate"))
	if err != nil {
		return fmt.Errorf("open writer: %w", err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	for _, p := range append(writePragmas, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walAutocheckpoint)) {
		if _, err := db.w.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	if _, err := db.w.ExecContext(ctx, checkpointSchema); err != nil {
		return fmt.Errorf("create checkpoints: %w", err)
	}
	db.r, err = sql.Open("sqlite", dsn(db.path,
		"_pragma=busy_timeout(10000)",
		"_pragma=query_only(1)",
		"_pragma=cache_size(-32768)"))
	if err != nil {
		return fmt.Errorf("open readers: %w", err)
	}
	db.r.SetMaxOpenConns(DefaultReadConns)
	db.r.SetMaxIdleConns(DefaultReadConns)
	return nil
}

// walAutocheckpoint is the write connection's automatic checkpoint
// threshold, in pages.
const walAutocheckpoint = 8000

// bulkLoad switches the write connection in and out of bulk loading, for
// rebuilds. Bulk loading writes with synchronous=OFF: the checkpoints that
// keep the WAL short otherwise fsync the database file each time, and
// during a rebuild those syncs cost more than all of SQLite's work. A
// process crash loses nothing SQLite wrote; an operating-system crash may
// damage the file, so a marker row, made durable before syncs stop, tells
// OpenReadDB to check the file (see recoverBulkLoad). Leaving bulk loading
// syncs everything, then removes the marker.
//
// Both directions need a checkpoint that completes; if readers keep one
// from completing, bulk loading stays off (slower, equally correct), and
// the marker stays until a later exit manages it (the next open then
// checks the file, which costs time, not data).
func (db *ReadDB) bulkLoad(ctx context.Context, on bool) error {
	if on {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO read_db_state (key, value) VALUES ('bulk_load', '1') ON CONFLICT DO NOTHING`); err != nil {
			return fmt.Errorf("set bulk load marker: %w", err)
		}
		if done, err := db.checkpoint(ctx, "FULL"); err != nil || !done {
			return err // the marker may not be durable: keep syncing
		}
		_, err := db.w.ExecContext(ctx, "PRAGMA synchronous = OFF")
		return err
	}
	if _, err := db.w.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return fmt.Errorf("leave bulk load: %w", err)
	}
	done, err := db.checkpoint(ctx, "TRUNCATE")
	if err != nil || !done {
		return err
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM read_db_state WHERE key = 'bulk_load'`); err != nil {
		return fmt.Errorf("clear bulk load marker: %w", err)
	}
	return nil
}

// checkpoint runs a WAL checkpoint of the given mode, retrying a few times
// while readers keep it from completing; it reports whether it completed
// (every frame copied to the database file, which was then synced).
func (db *ReadDB) checkpoint(ctx context.Context, mode string) (bool, error) {
	for attempt := 0; attempt < 20; attempt++ {
		var busy, logFrames, copied int
		if err := db.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logFrames, &copied); err != nil {
			return false, fmt.Errorf("checkpoint %s: %w", mode, err)
		}
		if busy == 0 && copied == logFrames {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return false, nil
}

// recoverBulkLoad deals with a bulk load that did not finish: if the file
// passes SQLite's quick_check, the projections keep their (consistent)
// partial content and checkpoints; if it does not, the file is deleted and
// created anew, and every projection rebuilds from the log.
func (db *ReadDB) recoverBulkLoad(ctx context.Context) error {
	var marker string
	err := db.w.QueryRowContext(ctx, `SELECT value FROM read_db_state WHERE key = 'bulk_load'`).Scan(&marker)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read bulk load marker: %w", err)
	}
	var result string
	if err := db.w.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&result); err != nil || result != "ok" {
		slog.Warn("read database damaged by an interrupted rebuild; starting it afresh", "path", db.path, "check", result, "err", err)
		return db.recreate(ctx)
	}
	slog.Info("read database: an interrupted rebuild left it intact; projections resume from their checkpoints", "path", db.path)
	if _, err := db.w.ExecContext(ctx, `DELETE FROM read_db_state WHERE key = 'bulk_load'`); err != nil {
		return fmt.Errorf("clear bulk load marker: %w", err)
	}
	return nil
}

// recreate deletes the database files and opens a new, empty database.
func (db *ReadDB) recreate(ctx context.Context) error {
	if err := db.Close(); err != nil {
		return err
	}
	db.r, db.w = nil, nil
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(db.path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove damaged read database: %w", err)
		}
	}
	return db.open(ctx)
}

// dsn builds a modernc.org/sqlite URI for path with the given query
// parameters, escaping the characters a URI path cannot hold.
func dsn(path string, params ...string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + esc.Replace(path) + "?" + strings.Join(params, "&")
}

// Path returns the file the read database lives in.
func (db *ReadDB) Path() string { return db.path }

// Close closes both connection pools.
func (db *ReadDB) Close() error {
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close read database: %w", err)
	}
	return nil
}
