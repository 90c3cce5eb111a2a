package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/interactionledger/ledger/domain"

	sqlitedrv "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
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
	// markerSet is true while this process has a bulk load marker in the
	// database (see bulkload.go); guarded by the Runner's writeMu, and
	// read by Close.
	markerSet bool
	// callingCode normalises national phone numbers in lookups the same
	// way the write side does.
	callingCode string
	// stmts are the read pool's prepared statements (stmt_cache.go).
	stmts stmtCache
	// views caches the screen pop's reads (viewcache.go).
	views *viewCache
}

// ReadDBOption configures OpenReadDB.
type ReadDBOption func(*ReadDB)

// WithCallingCode sets the country calling code assumed for phone numbers
// looked up without one (default domain.DefaultCallingCode); it must be the
// one the command handler uses.
func WithCallingCode(code string) ReadDBOption { return func(db *ReadDB) { db.callingCode = code } }

// OpenReadDB opens (creating if needed) the read database at path and
// creates the checkpoint table and the standard read models' tables. A
// read model whose schema changed since it was built is dropped and
// re-created empty with its checkpoint at 0, so the next Runner.Run
// rebuilds it from the log.
func OpenReadDB(ctx context.Context, path string, opts ...ReadDBOption) (*ReadDB, error) {
	db := &ReadDB{path: path, callingCode: domain.DefaultCallingCode, views: newViewCache()}
	for _, opt := range opts {
		opt(db)
	}
	err := db.openExisting(ctx)
	if isDamaged(err) {
		// Read models are derived from the ledger: a damaged file is
		// removed and everything rebuilt, not a reason to stay down.
		slog.Warn("the read models' database is damaged: removing it; every read model is rebuilt from the ledger", "path", path, "err", err)
		if err = db.recreate(ctx); err == nil {
			err = db.openExisting(ctx)
		}
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open read database %s: %w", path, err), db.Close())
	}
	return db, nil
}

// openExisting opens the database, finishes an interrupted bulk load and
// brings the schema up to date.
func (db *ReadDB) openExisting(ctx context.Context) error {
	if db.w == nil {
		if err := db.open(ctx); err != nil {
			return err
		}
	}
	if err := db.recoverBulkLoad(ctx); err != nil {
		return err
	}
	_, err := db.ensureSchema(ctx, Standard())
	return err
}

// isDamaged reports whether err is SQLite finding the file damaged, or
// not a database at all.
func isDamaged(err error) bool {
	var se *sqlitedrv.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff // the primary code of an extended one
	return code == sqlite3.SQLITE_CORRUPT || code == sqlite3.SQLITE_NOTADB
}

// writePragmas configure the write connection. synchronous=NORMAL does not
// fsync at commit: read models are rebuildable and each projection
// checkpoint commits with its changes, so a crash rolls both back together.
// secure_delete overwrites with zeros what a write removes (a deleted row,
// the old copy of an updated one, a freed page), so that the personal data
// an erasure overwrites (erasure.go) does not linger in the file's free
// space; the WAL's old frames go with the checkpoint the Runner takes after
// an erasure. The writer alone needs it: the query pool never writes.
var writePragmas = []string{
	"PRAGMA page_size = 16384", // only takes effect on a new file, before WAL
	"PRAGMA journal_mode = WAL",
	"PRAGMA synchronous = NORMAL",
	"PRAGMA secure_delete = ON",
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
		"_pragma=cache_size(-32768)",
		fmt.Sprintf("_pragma=mmap_size(%d)", readMmapBytes)))
	if err != nil {
		return fmt.Errorf("open readers: %w", err)
	}
	db.r.SetMaxOpenConns(DefaultReadConns)
	db.r.SetMaxIdleConns(DefaultReadConns)
	return nil
}

// readMmapBytes is the query pool's mmap_size: the API's lookups touch
// pages all over the read models (a random customer, their timeline), and
// through the map a page missing from a connection's cache costs a memory
// read instead of a pread system call and a copy (those calls were 15% of
// the CPU of a customer lookup with its timeline). The pages are the
// operating system's page cache, shared by the connections. The file is
// never shrunk while open (no VACUUM; a damaged database is removed only
// after the pools are closed), the case where a mapped file is safe.
const readMmapBytes = 1 << 30

// walAutocheckpoint is the write connection's automatic checkpoint
// threshold, in pages.
const walAutocheckpoint = 8000

// recreate deletes the database files and opens a new, empty database.
func (db *ReadDB) recreate(ctx context.Context) error {
	if err := db.Close(); err != nil {
		return err
	}
	db.r, db.w = nil, nil
	db.views.clear()
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

// Close closes both connection pools. If a rebuild could not make its
// writes durable because readers held its checkpoint back, Close tries
// again once the read pool is closed. Close must not run while a Runner
// is working on the database.
func (db *ReadDB) Close() error {
	var errs []error
	errs = append(errs, db.stmts.close())
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil && db.markerSet {
		errs = append(errs, db.leaveBulkLoad(context.Background()))
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close read database: %w", err)
	}
	return nil
}
