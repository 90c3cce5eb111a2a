package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/interactionledger/ledger/eventstore"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Store is the SQLite event store. It implements eventstore.Store and is
// safe for concurrent use. Open one Store per database file per process.
type Store struct {
	cfg      config
	log      *slog.Logger
	wdb      *sql.DB   // one connection, owned by the writer
	wconn    *sql.Conn // that connection
	rdb      *sql.DB   // read-only pool
	reads    readStmts
	w        *writer
	ckpt     *checkpointer
	notifier eventstore.Notifier
	lock     *writerLock
	// committed is the heads of the streams this store wrote, when it
	// is the sole writer (else nil).
	committed *committedHeads
	// recent is the tail of the log, when the store is the sole writer
	// (else nil).
	recent *recentEvents

	// sendMu is held shared while an Append hands its request to the
	// writer and exclusively by Close, so no request is sent on a closed
	// queue.
	sendMu    sync.RWMutex
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var (
	_ eventstore.Store         = (*Store)(nil)
	_ eventstore.FilingChecker = (*Store)(nil)
)

// Open opens (creating if needed) the event store in the SQLite file at
// path, applies pending schema migrations and starts the writer.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := newConfig(opts)
	m, err := newMetrics(cfg.registerer)
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, log: cfg.logger.With("component", "eventstore", "path", path), lock: newWriterLock(path)}
	if cfg.soleWriter {
		if err := s.lock.take(true); err != nil {
			return nil, fmt.Errorf("open event store %s: %w", path, err)
		}
		s.committed = newCommittedHeads(cfg.streamCacheSize)
		s.recent = &recentEvents{}
	}
	if err := s.open(ctx, path, m); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("open event store %s: %w", path, err)
	}
	go s.w.run()
	return s, nil
}

func (s *Store) open(ctx context.Context, path string, m *metrics) error {
	wdb, conn, err := openWriteConn(ctx, path)
	s.wdb, s.wconn = wdb, conn
	if err != nil {
		return err
	}
	applied, err := migrate(ctx, conn, s.cfg.clock())
	if err != nil {
		return err
	}
	if applied > 0 {
		s.log.Info("event store schema migrated", "migrations", applied)
	}
	if s.rdb, err = openReadPool(path, s.cfg.readConns); err != nil {
		return err
	}
	if s.reads, err = prepareReads(ctx, s.rdb); err != nil {
		return err
	}
	if s.ckpt, err = newCheckpointer(ctx, path, s.log); err != nil {
		return err
	}
	s.w, err = newWriter(ctx, conn, s.cfg, m, s.log, s.notifier.Notify, s.ckpt.request)
	if s.w != nil {
		s.w.committed, s.w.recent = s.committed, s.recent
	}
	return err
}

// dsn builds a modernc.org/sqlite URI for path with the given query
// parameters, escaping the characters a URI path cannot hold.
func dsn(path string, params ...string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + esc.Replace(path) + "?" + strings.Join(params, "&")
}

// writePragmas configure the writer's connection, in order: page_size only
// takes effect before the file has content, and journal_mode=WAL must be
// in place before the first write.
//
// The writer's page cache is small on purpose. At the end of every write
// transaction SQLite walks the cache's whole hash table (pcache1Truncate,
// seen in profiles of this store): with 64 MiB that cost about 0.4 ms per
// commit, a third of an fsync, and filling the cache cost more. 8 MiB
// holds what appends touch: the right edges of the table and of the
// event_id index, the stream index pages of the streams in progress, the
// upper levels of every index. Random-stream appends measured the same
// with 4 MiB and 64 MiB.
var writePragmas = []string{
	"PRAGMA page_size = 4096",
	"PRAGMA journal_mode = WAL",
	"PRAGMA synchronous = FULL", // fsync the WAL at every commit: durable
	"PRAGMA cache_size = -8192", // KiB; see above
	"PRAGMA temp_store = MEMORY",
	fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerAutoCheckpointPages), // see checkpointer
}

// openWriteConn opens the single connection the writer uses.
func openWriteConn(ctx context.Context, path string) (*sql.DB, *sql.Conn, error) {
	db, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(10000)"))
	if err != nil {
		return nil, nil, fmt.Errorf("open writer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	conn, err := db.Conn(ctx)
	if err != nil {
		return db, nil, fmt.Errorf("open writer: %w", err)
	}
	for _, p := range writePragmas {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return db, conn, fmt.Errorf("%s: %w", p, err)
		}
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return db, conn, fmt.Errorf("read journal_mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return db, conn, fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	return db, conn, nil
}

// readMmapBytes is the read pool's mmap_size: SQLite reads up to that much
// of the database file through a shared memory map instead of a read()
// call and a copy per page it misses in its cache. Reading the whole log
// (a projection rebuild, ledger verify) misses on nearly every page; the
// map made the lean read of a million events some 15% faster (455k vs
// 384k events/s) and a whole rebuild about 4%. It costs address space, not
// memory: the pages are the operating system's page cache, shared by the
// connections. The log is append-only and never truncated (no VACUUM), the
// case where a mapped file is safe; an I/O error on a mapped page would
// crash the process instead of failing the read, a risk SQLite documents
// and the store takes for the read pool only (the writer does not map).
const readMmapBytes = 1 << 30

// openReadPool opens the read-only connection pool. WAL lets its readers
// run concurrently with the writer, each on a consistent snapshot.
func openReadPool(path string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path,
		"_pragma=busy_timeout(10000)",
		"_pragma=query_only(1)",
		"_pragma=cache_size(-16384)",
		fmt.Sprintf("_pragma=mmap_size(%d)", readMmapBytes)))
	if err != nil {
		return nil, fmt.Errorf("open readers: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

// Changed returns a channel closed at the next commit (or when the store
// closes). Take it before reading, then wait on it: see eventstore.Notifier.
func (s *Store) Changed() <-chan struct{} { return s.notifier.C() }

// SubscribeAll implements eventstore.Store.
func (s *Store) SubscribeAll(ctx context.Context, after uint64) eventstore.Subscription {
	return eventstore.NewPollingSubscription(s, after, eventstore.PollingOptions{})
}

// Close stops accepting appends, lets the writer finish every append
// already handed to it, then closes the database. Later calls on the store
// return eventstore.ErrClosed; Close itself may be called again.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.sendMu.Lock()
		s.closed.Store(true)
		close(s.w.queue)
		s.sendMu.Unlock()
		<-s.w.done
		s.reads.close()
		s.closeErr = s.closeDBs()
		s.notifier.Notify() // wake subscribers: their next read fails with ErrClosed
		s.log.Info("event store closed")
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	var errs []error
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.close())
	}
	if s.w != nil {
		s.w.closeStmts()
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	errs = append(errs, s.lock.release())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close event store: %w", err)
	}
	return nil
}
